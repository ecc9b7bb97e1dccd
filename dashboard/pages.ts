import type { PublicRun, RunSummary } from '../exporters/deployments/service';
import type { ProjectJson } from '../exporters/projects/api';
import { firingBySeverity, groupAlerts, safeLink, type AlertsResult } from './alerts';
import { resultClass, sparkline, timelineBar } from './charts';
import type { ComponentHealth } from './components';
import type { DashboardConfig } from './config';
import { formatPercent, formatSeconds, formatTime } from './format';
import { HISTORY_SECONDS, type HistoryResult } from './history';
import type { Messages } from './i18n';
import { grafanaDeployments, grafanaProject, kibanaProject, kibanaRun, silenceLink } from './links';

/** The data of each page, from what the parts and components answered; pure, so it is tested without servers. */

const COMPONENT_LABELS: Record<string, string> = { grafana: 'Grafana', kibana: 'Kibana', prometheus: 'Prometheus', alertmanager: 'Alertmanager', elasticsearch: 'Elasticsearch' };

/** A run's result word: its conclusion once completed, else its status. */
const runResult = (r: { status: string; conclusion: string | null }, t: Messages): { result: string; resultClass: string } => {
  if (r.status === 'completed') return { result: r.conclusion ?? 'completed', resultClass: resultClass(r.conclusion) };
  const running = r.status === 'in_progress' ? 'running' : r.status;
  return { result: r.status === 'in_progress' ? t.inProgress : r.status, resultClass: resultClass(running) };
};

export function runRows(runs: readonly RunSummary[], t: Messages) {
  return runs.map((r) => ({
    id: r.id,
    project: r.project,
    workflow: r.workflow,
    environment: r.environment ?? '',
    ...runResult(r, t),
    started: formatTime(r.started_at ?? r.created_at),
    duration: formatSeconds(r.duration_seconds),
  }));
}

const failedReason = (p: ProjectJson): string =>
  p.checks
    .filter((c) => c.success === false)
    .map((c) => `${c.name}: ${c.reason ?? ''}`)
    .join('; ');

export interface HomeInput {
  readonly components: readonly ComponentHealth[];
  readonly parts: readonly string[];
  readonly alerts: AlertsResult | undefined;
  readonly projects: readonly ProjectJson[];
  readonly runs: readonly RunSummary[];
}

export function homePage(input: HomeInput, t: Messages) {
  return {
    components: [
      ...input.components.map((c) => ({ ...c, label: COMPONENT_LABELS[c.name] ?? c.name })),
      ...input.parts.map((p) => ({ name: `vigil-${p}`, label: `Vigil ${p}`, health: 'up' as const, detail: undefined, version: undefined, link: undefined })),
    ],
    alerts: {
      configured: input.alerts !== undefined,
      reason: input.alerts && !input.alerts.ok ? input.alerts.reason : undefined,
      firing: input.alerts?.ok ? firingBySeverity(input.alerts.alerts) : [],
    },
    down: input.projects.filter((p) => p.status === 'down').map((p) => ({ name: p.name, reason: failedReason(p) })),
    runs: runRows(input.runs, t),
  };
}

export const SORTS = ['name', 'status', 'response', 'availability', 'tls'] as const;
export type Sort = (typeof SORTS)[number];
export const STATUS_FILTERS = ['all', 'down', 'up', 'unknown'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface ProjectsInput {
  readonly projects: readonly ProjectJson[];
  readonly history: HistoryResult | undefined;
  readonly lastRun: (project: string) => RunSummary | undefined;
  readonly sort: Sort;
  readonly desc: boolean;
  readonly filter: StatusFilter;
  readonly nowMs: number;
  readonly base: string;
}

/** The response time shown: the first HTTP check's, else the slowest check's. */
const responseSeconds = (p: ProjectJson): number | undefined => {
  const http = p.checks.find((c) => c.type === 'http' && c.duration_seconds !== null);
  if (http) return http.duration_seconds ?? undefined;
  const all = p.checks.map((c) => c.duration_seconds).filter((d): d is number => d !== null);
  return all.length > 0 ? Math.max(...all) : undefined;
};

const tlsDaysLeft = (p: ProjectJson, nowMs: number): number | undefined => {
  const expiries = p.checks.map((c) => (c.tls_expiry ? Date.parse(c.tls_expiry) : NaN)).filter(Number.isFinite);
  return expiries.length > 0 ? Math.floor((Math.min(...expiries) - nowMs) / 86_400_000) : undefined;
};

const STATUS_RANK: Record<string, number> = { down: 0, unknown: 1, up: 2 };

export function projectsPage(input: ProjectsInput, cfg: DashboardConfig, t: Messages) {
  const history = input.history?.ok ? input.history.history : undefined;
  const to = input.nowMs / 1000;
  const rows = input.projects.map((p) => {
    const response = responseSeconds(p);
    const availability = history?.availability.get(p.name);
    const tls = tlsDaysLeft(p, input.nowMs);
    const run = input.lastRun(p.name);
    return {
      name: p.name,
      status: p.status,
      reason: failedReason(p),
      responseSeconds: response,
      response: formatSeconds(response),
      spark: history ? sparkline(history.response.get(p.name) ?? [], to - HISTORY_SECONDS, to) : '',
      availabilityValue: availability,
      availability: formatPercent(availability),
      tlsValue: tls,
      tlsDays: tls === undefined ? '' : String(tls),
      lastCheck: formatTime(p.last_check),
      deployment: run && { id: run.id, ...runResult(run, t), when: formatTime(run.finished_at ?? run.started_at ?? run.updated_at) },
      grafana: grafanaProject(cfg, p.name),
      kibana: kibanaProject(cfg, p.name),
      site: safeLink(p.labels.url),
    };
  });
  type Row = (typeof rows)[number];
  const num = (v: number | undefined): number => (v === undefined ? Number.POSITIVE_INFINITY : v);
  const by: Record<Sort, (a: Row, b: Row) => number> = {
    name: (a, b) => a.name.localeCompare(b.name),
    status: (a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9) || a.name.localeCompare(b.name),
    response: (a, b) => num(a.responseSeconds) - num(b.responseSeconds) || a.name.localeCompare(b.name),
    availability: (a, b) => num(a.availabilityValue) - num(b.availabilityValue) || a.name.localeCompare(b.name),
    tls: (a, b) => num(a.tlsValue) - num(b.tlsValue) || a.name.localeCompare(b.name),
  };
  const shown = rows.filter((r) => input.filter === 'all' || r.status === input.filter).sort(by[input.sort]);
  if (input.desc) shown.reverse();
  const link = (sort: Sort, desc: boolean, filter: StatusFilter): string => {
    const q = new URLSearchParams();
    if (sort !== 'name') q.set('sort', sort);
    if (desc) q.set('order', 'desc');
    if (filter !== 'all') q.set('status', filter);
    const s = q.toString();
    return `${input.base}/projects${s ? `?${s}` : ''}`;
  };
  const header = (label: string, sort?: Sort, extra: { num?: boolean; narrow?: boolean } = {}) => ({
    label,
    ...extra,
    href: sort && link(sort, sort === input.sort && !input.desc, input.filter),
    arrow: sort === input.sort ? (input.desc ? ' ▼' : ' ▲') : '',
  });
  return {
    rows: shown,
    historyNote: input.history === undefined ? t.noHistory : input.history.ok ? undefined : `${t.historyFailed}: ${input.history.reason}`,
    filters: STATUS_FILTERS.map((f) => ({
      label: f === 'all' ? t.all : t[f],
      href: link(input.sort, input.desc, f),
      current: f === input.filter,
      count: f === 'all' ? rows.length : rows.filter((r) => r.status === f).length,
    })),
    headers: [
      header(t.project, 'name'),
      header(t.status, 'status'),
      header(t.responseTime, 'response', { num: true }),
      header(t.chart24h, undefined, { narrow: true }),
      header(t.availability, 'availability', { num: true }),
      header(t.tlsDays, 'tls', { num: true, narrow: true }),
      header(t.lastDeployment, undefined, { narrow: true }),
      header(t.lastCheck, undefined, { narrow: true }),
      header(t.links),
    ],
  };
}

const ms = (iso: string | null | undefined): number | undefined => {
  const v = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(v) ? v : undefined;
};

/** A run's jobs and steps as timeline rows: bars placed and sized on the run's own time scale. */
export function runPage(run: PublicRun, cfg: DashboardConfig, t: Messages, nowMs: number) {
  const starts = [ms(run.started_at), ms(run.created_at), ...run.jobs.map((j) => ms(j.started_at))].filter((v): v is number => v !== undefined);
  const begin = starts.length > 0 ? Math.min(...starts) : nowMs;
  const ends = [ms(run.finished_at), ...run.jobs.map((j) => ms(j.finished_at))].filter((v): v is number => v !== undefined);
  const end = run.status === 'completed' && ends.length > 0 ? Math.max(...ends) : Math.max(nowMs, ...ends);
  const total = Math.max(end - begin, 1);
  const place = (started: string | null, finished: string | null, seconds: number | null) => {
    const s = ms(started);
    if (s === undefined) return { offset: 0, span: 0 };
    const f = ms(finished) ?? (seconds !== null ? s + seconds * 1000 : nowMs);
    return { offset: (s - begin) / total, span: (f - s) / total };
  };
  const item = (x: { status: string; conclusion: string | null }) => runResult(x, t);
  const timeline = run.jobs.flatMap((job) => {
    const j = place(job.started_at, job.finished_at, job.duration_seconds);
    return [
      {
        kind: 'job',
        name: job.name,
        ...item(job),
        queue: formatSeconds(job.queue_seconds),
        duration: formatSeconds(job.duration_seconds),
        url: safeLink(job.html_url),
        bar: timelineBar(j.offset, j.span, item(job).resultClass),
      },
      ...job.steps.map((step) => {
        const p = place(step.started_at, step.finished_at, step.duration_seconds);
        return { kind: 'step', name: step.name, ...item(step), queue: '', duration: formatSeconds(step.duration_seconds), url: undefined, bar: timelineBar(p.offset, p.span, item(step).resultClass) };
      }),
    ];
  });
  return {
    run: {
      ...(runRows([{ ...run, jobs_total: run.jobs.length }], t)[0] as ReturnType<typeof runRows>[number]),
      duration: formatSeconds(run.duration_seconds ?? (run.status === 'completed' ? null : (nowMs - begin) / 1000)),
      branch: run.branch,
      commit: run.commit,
      actor: run.actor,
      github: safeLink(run.html_url),
      kibana: kibanaRun(cfg, run.id),
      grafana: grafanaDeployments(cfg, run.project),
    },
    timeline,
    logs: run.logs.map((l) => ({
      timestamp: formatTime(l.timestamp),
      level: l.level,
      levelClass: l.level.replace(/[^a-z]/g, ''),
      where: [l.job, l.step].filter(Boolean).join(' / '),
      message: l.message,
    })),
  };
}

export function alertsPage(result: AlertsResult | undefined, cfg: DashboardConfig) {
  if (!result) return { configured: false, groups: [] };
  if (!result.ok) return { configured: true, reason: result.reason, groups: [] };
  return {
    configured: true,
    groups: groupAlerts(result.alerts).map((g) => ({
      ...g,
      grafana: g.project ? grafanaProject(cfg, g.project) : undefined,
      alerts: g.alerts.map((a) => ({ ...a, since: formatTime(a.startsAt), silence: silenceLink(cfg, a.labels) })),
    })),
  };
}
