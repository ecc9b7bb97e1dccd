import { internalUrl, type DashboardConfig } from './config';
import { fetchComponent, pick, pickString } from './fetch-json';

export interface AlertView {
  readonly name: string;
  readonly project: string;
  readonly severity: string;
  readonly state: 'firing' | 'silenced' | 'inhibited';
  readonly summary: string;
  readonly startsAt: string;
  readonly labels: Readonly<Record<string, string>>;
  /** http(s) only, from the dashboard_url / runbook_url annotations. */
  readonly dashboardUrl?: string | undefined;
  readonly runbookUrl?: string | undefined;
}

export interface AlertGroup {
  readonly project: string;
  readonly severity: string;
  readonly alerts: readonly AlertView[];
}

export type AlertsResult = { readonly ok: true; readonly alerts: readonly AlertView[] } | { readonly ok: false; readonly reason: string };

/** Only http(s) links from annotations reach a page: never javascript: or data: URLs. */
export function safeLink(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];
export const severityRank = (s: string): number => {
  const i = SEVERITY_ORDER.indexOf(s);
  return i === -1 ? SEVERITY_ORDER.length : i;
};

const strings = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

function toView(a: unknown): AlertView | undefined {
  const labels = strings(pick(a, 'labels'));
  const annotations = strings(pick(a, 'annotations'));
  if (!labels.alertname) return undefined;
  const st = pickString(a, 'status', 'state');
  const silenced = (pick(a, 'status', 'silencedBy') as unknown[] | undefined)?.length ?? 0;
  const state = st === 'suppressed' ? (silenced > 0 ? 'silenced' : 'inhibited') : 'firing';
  return {
    name: labels.alertname,
    project: labels.project ?? '',
    severity: labels.severity ?? 'none',
    state,
    summary: annotations.summary ?? annotations.description ?? '',
    startsAt: pickString(a, 'startsAt') ?? '',
    labels,
    dashboardUrl: safeLink(annotations.dashboard_url ?? annotations.dashboard),
    runbookUrl: safeLink(annotations.runbook_url),
  };
}

/** Firing, silenced and inhibited alerts from Alertmanager's API v2; unconfigured: no request. */
export async function fetchAlerts(cfg: DashboardConfig): Promise<AlertsResult | undefined> {
  const base = internalUrl(cfg.alertmanager);
  if (!cfg.alertmanager || !base) return undefined;
  const got = await fetchComponent(`${base}/api/v2/alerts?active=true&silenced=true&inhibited=true`, { timeoutMs: cfg.timeout, headers: cfg.alertmanager.headers });
  if (!got.ok) return got;
  if (!Array.isArray(got.body)) return { ok: false, reason: 'answered something that is not a list of alerts' };
  return { ok: true, alerts: got.body.map(toView).filter((a): a is AlertView => a !== undefined) };
}

/** Grouped by project, then severity (critical first); alerts without a project come last. */
export function groupAlerts(alerts: readonly AlertView[]): AlertGroup[] {
  const groups = new Map<string, { project: string; severity: string; alerts: AlertView[] }>();
  for (const a of alerts) {
    const key = `${a.project}\u0000${a.severity}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { project: a.project, severity: a.severity, alerts: [] }));
    g.alerts.push(a);
  }
  return [...groups.values()].sort(
    (x, y) => Number(x.project === '') - Number(y.project === '') || x.project.localeCompare(y.project) || severityRank(x.severity) - severityRank(y.severity),
  );
}

/** Counts of firing (not silenced) alerts per severity, most severe first. */
export function firingBySeverity(alerts: readonly AlertView[]): { severity: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const a of alerts) if (a.state === 'firing') counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  return [...counts].map(([severity, count]) => ({ severity, count })).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}
