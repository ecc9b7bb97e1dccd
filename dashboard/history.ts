import { internalUrl, type DashboardConfig } from './config';
import { fetchComponent, pick, type Fetched } from './fetch-json';

/** 24 hours in 15-minute steps: 97 points per project, one query for every project. */
export const HISTORY_SECONDS = 24 * 3600;
const STEP_SECONDS = 900;

/** The PromQL the Projects page asks; `project` is the only label it groups by. */
export const QUERIES = {
  response: 'max by (project) (project_check_duration_seconds)',
  availability: 'avg by (project) (avg_over_time(project_up[24h]))',
} as const;

export interface History {
  /** [unix seconds, seconds] points of the slowest check, per project. */
  readonly response: ReadonlyMap<string, readonly (readonly [number, number])[]>;
  /** Fraction of the last 24 h the project was up, per project. */
  readonly availability: ReadonlyMap<string, number>;
}

export type HistoryResult = { readonly ok: true; readonly history: History } | { readonly ok: false; readonly reason: string };

function series(got: Fetched): { project: string; values: unknown[] }[] | string {
  if (!got.ok) return got.reason;
  if (pick(got.body, 'status') !== 'success') return 'answered something that is not a query result';
  const result = pick(got.body, 'data', 'result');
  if (!Array.isArray(result)) return 'answered something that is not a query result';
  return result.flatMap((s) => {
    const project = pick(s, 'metric', 'project');
    if (typeof project !== 'string') return [];
    const values = pick(s, 'values') ?? [pick(s, 'value')];
    return Array.isArray(values) ? [{ project, values }] : [];
  });
}

const point = (v: unknown): [number, number] | undefined => {
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  const t = Number(v[0]);
  const x = Number(v[1]);
  return Number.isFinite(t) && Number.isFinite(x) ? [t, x] : undefined;
};

/** The Projects page's history from Prometheus's query API; undefined when none is configured. */
export async function fetchHistory(cfg: DashboardConfig, nowMs: number): Promise<HistoryResult | undefined> {
  const base = internalUrl(cfg.prometheus);
  if (!cfg.prometheus || !base) return undefined;
  // Ending now (not on a step boundary), so a project checked for a few minutes has a point.
  const end = Math.floor(nowMs / 1000);
  const q = (path: string, params: Record<string, string>): Promise<Fetched> =>
    fetchComponent(`${base}${path}?${new URLSearchParams(params).toString()}`, { timeoutMs: cfg.timeout, headers: cfg.prometheus?.headers ?? {} });
  const [range, avail] = await Promise.all([
    q('/api/v1/query_range', { query: QUERIES.response, start: String(end - HISTORY_SECONDS), end: String(end), step: String(STEP_SECONDS) }),
    q('/api/v1/query', { query: QUERIES.availability, time: String(nowMs / 1000) }),
  ]);
  const r = series(range);
  const a = series(avail);
  if (typeof r === 'string') return { ok: false, reason: r };
  if (typeof a === 'string') return { ok: false, reason: a };
  const response = new Map(r.map((s) => [s.project, s.values.map(point).filter((p): p is [number, number] => p !== undefined)] as const));
  const availability = new Map(a.flatMap((s) => {
    const p = point(s.values[0]);
    return p ? [[s.project, p[1]] as const] : [];
  }));
  return { ok: true, history: { response, availability } };
}
