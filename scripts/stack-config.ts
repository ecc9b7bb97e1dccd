/**
 * The repo's Prometheus and Alertmanager configurations made runnable on this machine, for
 * `npm run stack` and the end-to-end tests: the same rules, routes, receivers and templates,
 * with only the addresses (and, for tests, the intervals) changed.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

export const REPO = resolve(import.meta.dirname, '..');
export const PROMETHEUS_DIR = join(REPO, 'prometheus');
export const ALERTMANAGER_DIR = join(REPO, 'alertmanager');

/**
 * Renders alertmanager/alertmanager.yml with `env` (over this process's environment) into `out`,
 * through alertmanager/render.sh, the script the compose service runs. Throws with its message
 * (naming the variables missing) when a required one is not set.
 */
export async function renderAlertmanagerConfig(env: Record<string, string>, out: string): Promise<void> {
  const merged = { ALERTMANAGER_TEMPLATES: join(ALERTMANAGER_DIR, 'templates'), ...process.env, ...env };
  try {
    await promisify(execFile)('sh', [join(ALERTMANAGER_DIR, 'render.sh'), join(ALERTMANAGER_DIR, 'alertmanager.yml'), out], { env: merged });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error((e.stderr ?? '').trim() || e.message);
  }
}

export interface LocalPrometheusOptions {
  /** host:port of the local Vigil. */
  readonly vigil: string;
  /** host:port of the local Alertmanager. */
  readonly alertmanager: string;
  /** host:port Prometheus itself listens on. */
  readonly prometheus: string;
  /** The `host` label of this machine's targets (default: as in prometheus.yml). */
  readonly host?: string;
  /** Shorter intervals for tests, e.g. '1s'. */
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** Extra top-level settings merged in, e.g. `remote_write` (docker-compose.scale.yml's). */
  readonly extra?: Record<string, unknown>;
  /** The folder of the `hosts` job's file_sd files (default prometheus/targets/). */
  readonly targetsDir?: string;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  file_sd_configs?: { files: string[] }[];
}
interface PromConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

/** prometheus/prometheus.yml with local addresses and absolute paths; no Elasticsearch exporter here. */
export async function localPrometheusConfig(opts: LocalPrometheusOptions): Promise<string> {
  const cfg = parse(await readFile(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as PromConfig;
  if (opts.scrapeInterval) {
    cfg.global.scrape_interval = opts.scrapeInterval;
    cfg.global.scrape_timeout = opts.scrapeInterval;
  }
  if (opts.evaluationInterval) cfg.global.evaluation_interval = opts.evaluationInterval;
  cfg.rule_files = cfg.rule_files.map((f) => join(PROMETHEUS_DIR, f));
  cfg.alerting.alertmanagers = [{ static_configs: [{ targets: [opts.alertmanager] }] }];
  const address: Record<string, string> = { vigil: opts.vigil, prometheus: opts.prometheus, alertmanager: opts.alertmanager };
  cfg.scrape_configs = cfg.scrape_configs
    .filter((s) => s.job_name !== 'elasticsearch')
    .map((s) => {
      const target = address[s.job_name];
      if (target) {
        s.static_configs = (s.static_configs ?? []).map((sc) => ({ ...sc, targets: [target], labels: { ...sc.labels, ...(opts.host ? { host: opts.host } : {}) } }));
      }
      const files = (p: string): string => (opts.targetsDir && p.startsWith('targets/') ? join(opts.targetsDir, p.slice('targets/'.length)) : join(PROMETHEUS_DIR, p));
      if (s.file_sd_configs) s.file_sd_configs = s.file_sd_configs.map((f) => ({ ...f, files: f.files.map(files) }));
      return s;
    });
  return stringify({ ...cfg, ...opts.extra });
}

/** prometheus/remote-write.yml's `remote_write` (what docker-compose.scale.yml appends), with the URL of each replaced. */
export async function remoteWriteSettings(url: string): Promise<Record<string, unknown>[]> {
  const { remote_write: rw } = parse(await readFile(join(PROMETHEUS_DIR, 'remote-write.yml'), 'utf8')) as { remote_write: Record<string, unknown>[] };
  return rw.map((w) => ({ ...w, url }));
}
