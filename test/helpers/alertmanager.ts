import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from './daemon';
import { freePort } from './ports';

/** An alert as Alertmanager's API v2 returns it (GET /api/v2/alerts). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** An alert to post (POST /api/v2/alerts), as Prometheus sends them. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerOptions {
  /** The configuration: a file path, or YAML text (written to the temp dir). One is required. */
  readonly configFile?: string;
  readonly config?: string;
  /** Gossip: listen on a free loopback port and join these peers (`host:port`); off when absent. */
  readonly cluster?: { readonly peers?: readonly string[] };
  /** The port on 127.0.0.1; a free one by default. */
  readonly port?: number;
  /** More flags, e.g. `--cluster.settle-timeout=1s` or `--log.level=debug`. */
  readonly args?: readonly string[];
  /** Environment for the process (e.g. an SMTP password file path). Defaults to this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where it keeps its state (silences, notification log); a fresh temp dir by default. */
  readonly storageDir?: string;
  readonly echo?: boolean;
}

export interface RunningAlertmanager {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** `127.0.0.1:<port>` of its gossip listener, when clustered. */
  readonly clusterAddress: string | undefined;
  /** GET /api/v2/alerts (active, silenced, inhibited and unprocessed ones by default). */
  alerts(query?: Record<string, string | boolean>): Promise<AmAlert[]>;
  /** POST /api/v2/alerts; throws unless Alertmanager accepts them. */
  postAlerts(alerts: readonly PostableAlert[]): Promise<void>;
  /** GET /api/v2/status: cluster status, config, version. */
  status(): Promise<{ cluster: { status: string; peers: { name: string; address: string }[] }; config: { original: string }; versionInfo: { version: string } }>;
  /** POST /api/v2/silences; returns the silence id. */
  silence(matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[], minutes?: number): Promise<string>;
  /** Polls GET /api/v2/alerts until `pred` holds; throws with the last answer after the timeout. */
  waitForAlerts(pred: (alerts: AmAlert[]) => boolean, timeoutMs?: number): Promise<AmAlert[]>;
  /** POST /-/reload; throws with its answer when the new configuration is refused. */
  reload(): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/** Runs Debian's Alertmanager (`prometheus-alertmanager`) on 127.0.0.1 at a free port. */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-am-'));
  let configFile = opts.configFile;
  if (!configFile) {
    if (opts.config === undefined) throw new Error('startAlertmanager: configFile or config is required');
    configFile = join(dir, 'alertmanager.yml');
    await writeFile(configFile, opts.config);
  }
  const port = opts.port ?? (await freePort());
  const clusterPort = opts.cluster ? await freePort() : undefined;
  const clusterAddress = clusterPort ? `127.0.0.1:${clusterPort}` : undefined;
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    `--storage.path=${opts.storageDir ?? join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=${url}`,
    `--cluster.listen-address=${clusterAddress ?? ''}`,
    ...(opts.cluster?.peers ?? []).map((p) => `--cluster.peer=${p}`),
    ...(opts.args ?? []),
  ];
  const daemon = await startDaemon({ command: 'prometheus-alertmanager', args, readyUrl: `${url}/-/ready`, env: opts.env, echo: opts.echo }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });

  const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${url}/api/v2${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`alertmanager ${init?.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const alerts = (query: Record<string, string | boolean> = {}): Promise<AmAlert[]> => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return api<AmAlert[]>(`/alerts${qs ? `?${qs}` : ''}`);
  };
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  return {
    url,
    clusterAddress,
    alerts,
    postAlerts: (list) => api<void>('/alerts', json(list)),
    status: () => api('/status'),
    async silence(matchers, minutes = 60) {
      const now = Date.now();
      const body = {
        matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + minutes * 60_000).toISOString(),
        createdBy: 'vigil tests',
        comment: 'test',
      };
      return (await api<{ silenceID: string }>('/silences', json(body))).silenceID;
    },
    async waitForAlerts(pred, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const last = await alerts();
        if (pred(last)) return last;
        if (Date.now() > until) throw new Error(`timed out waiting for Alertmanager alerts; last: ${JSON.stringify(last)}`);
        await sleep(200);
      }
    },
    async reload() {
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`alertmanager reload refused: ${res.status} ${await res.text()}`);
    },
    logs: () => daemon.logs(),
    async stop() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
