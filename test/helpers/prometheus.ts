import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  readonly url: string;
  query(expr: string): Promise<PromSample[]>;
  /** Polls `expr` until `pred` holds for its result; throws with the last result after the timeout. */
  waitFor(expr: string, pred: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Active alerts from /api/v1/alerts. */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  logs(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly targets: readonly string[];
  readonly metricsPath?: string;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly ruleFiles?: readonly string[];
  readonly alertmanagerUrl?: string;
  readonly jobName?: string;
  /** Target labels of the main job (e.g. `host`, as prometheus/prometheus.yml sets them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** More scrape jobs: job name to targets (with the same labels). */
  readonly extraJobs?: Readonly<Record<string, readonly string[]>>;
  /** Also scrape Prometheus itself, as job `prometheus`. */
  readonly scrapeSelf?: boolean;
  /** How long to wait for /-/ready (default 15 s; more for tests that run on a loaded machine). */
  readonly readyTimeoutMs?: number;
}

function yamlList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** Runs the real Debian Prometheus on 127.0.0.1, scraping the given targets. */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-prom-'));
  const port = await freePort();
  const am = opts.alertmanagerUrl ? new URL(opts.alertmanagerUrl) : undefined;
  const labels = opts.labels ? `\n        labels: ${JSON.stringify(opts.labels)}` : '';
  const config = `global:
  scrape_interval: ${opts.scrapeInterval ?? '1s'}
  scrape_timeout: ${opts.scrapeInterval ?? '1s'}
  evaluation_interval: ${opts.evaluationInterval ?? '1s'}
${opts.ruleFiles ? `rule_files: ${yamlList(opts.ruleFiles)}\n` : ''}${
    am
      ? `alerting:
  alertmanagers:
    - static_configs: [{ targets: ["${am.host}"] }]
      path_prefix: "${am.pathname}"
`
      : ''
  }scrape_configs:
  - job_name: ${opts.jobName ?? 'vigil'}
    metrics_path: ${opts.metricsPath ?? '/metrics'}
    static_configs:
      - targets: ${yamlList(opts.targets)}${labels}
${Object.entries({ ...opts.extraJobs, ...(opts.scrapeSelf ? { prometheus: [`127.0.0.1:${port}`] } : {}) })
  .map(([job, targets]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ${yamlList(targets)}${labels}\n`)
  .join('')}`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000, undefined, { ref: false }).then(() => child.kill('SIGKILL'))]);
    await rm(dir, { recursive: true, force: true });
  };

  const readyMs = opts.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after ${readyMs / 1000} s:\n${output}`);
    }
    await sleep(100);
  }

  const query = async (expr: string): Promise<PromSample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  };

  return {
    url,
    query,
    async waitFor(expr, pred, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      for (;;) {
        last = await query(expr);
        if (pred(last)) return last;
        if (Date.now() > until) throw new Error(`timed out waiting for ${expr}; last result ${JSON.stringify(last)}`);
        await sleep(250);
      }
    },
    async alerts() {
      const res = await fetch(`${url}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      return body.data.alerts;
    },
    logs: () => output,
    stop,
  };
}
