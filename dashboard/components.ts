import { internalUrl, publicUrl, type ComponentConfig, type ComponentName, type DashboardConfig } from './config';
import { fetchComponent, pickString, type Fetched } from './fetch-json';

export type Health = 'up' | 'degraded' | 'down' | 'unconfigured';

export interface ComponentHealth {
  readonly name: ComponentName;
  readonly health: Health;
  readonly version?: string | undefined;
  /** Why it is not up, or the component's own status word ("green", "available"). */
  readonly detail?: string | undefined;
  /** The public URL, for the card's link. */
  readonly link?: string | undefined;
}

interface Probe {
  /** The health request and how its answer reads. */
  readonly path: string;
  readonly json: boolean;
  readonly judge: (body: unknown) => { health: Health; detail?: string | undefined; version?: string | undefined };
  /** A second request for the version, when the health answer does not say it. */
  readonly version?: { readonly path: string; readonly read: (body: unknown) => string | undefined };
}

const word = (w: string | undefined, good: string[], fair: string[]): Health => (w && good.includes(w) ? 'up' : w && fair.includes(w) ? 'degraded' : 'down');

/** Each component's documented health endpoint (and version endpoint where the first does not say it). */
const PROBES: Record<ComponentName, Probe> = {
  grafana: {
    path: '/api/health',
    json: true,
    judge: (b) => {
      const db = pickString(b, 'database');
      return { health: db === 'ok' ? 'up' : 'down', detail: db === 'ok' ? undefined : `database ${db ?? 'unknown'}`, version: pickString(b, 'version') };
    },
  },
  kibana: {
    path: '/api/status',
    json: true,
    judge: (b) => {
      const level = pickString(b, 'status', 'overall', 'level') ?? pickString(b, 'status', 'overall', 'state');
      return { health: word(level, ['available', 'green'], ['degraded', 'yellow']), detail: level ?? 'no status', version: pickString(b, 'version', 'number') };
    },
  },
  prometheus: {
    path: '/-/healthy',
    json: false,
    judge: () => ({ health: 'up' }),
    version: { path: '/api/v1/status/buildinfo', read: (b) => pickString(b, 'data', 'version') },
  },
  alertmanager: {
    path: '/-/healthy',
    json: false,
    judge: () => ({ health: 'up' }),
    version: { path: '/api/v2/status', read: (b) => pickString(b, 'versionInfo', 'version') },
  },
  elasticsearch: {
    path: '/_cluster/health',
    json: true,
    judge: (b) => {
      const status = pickString(b, 'status');
      return { health: word(status, ['green'], ['yellow']), detail: status ?? 'no status' };
    },
    version: { path: '/', read: (b) => pickString(b, 'version', 'number') },
  },
};

/** Checks one component server-side; a component that is not configured is never requested. */
export async function checkComponent(name: ComponentName, cfg: ComponentConfig | undefined, timeoutMs: number): Promise<ComponentHealth> {
  const base = internalUrl(cfg);
  if (!cfg || !base) return { name, health: 'unconfigured' };
  const probe = PROBES[name];
  const link = publicUrl(cfg);
  const get = (path: string, json: boolean): Promise<Fetched> => fetchComponent(base + path, { timeoutMs, headers: cfg.headers, json });
  const [health, version] = await Promise.all([get(probe.path, probe.json), probe.version ? get(probe.version.path, true) : undefined]);
  if (!health.ok) return { name, health: 'down', detail: health.reason, link };
  const judged = probe.judge(health.body);
  const v = judged.version ?? (version?.ok ? probe.version?.read(version.body) : undefined);
  return { name, health: judged.health, detail: judged.detail, version: v, link };
}

export function checkComponents(cfg: DashboardConfig): Promise<ComponentHealth[]> {
  return Promise.all((['grafana', 'kibana', 'prometheus', 'alertmanager', 'elasticsearch'] as const).map((n) => checkComponent(n, cfg[n], cfg.timeout)));
}
