import { HttpError, sendJson, type Route } from '../../core/http-server';
import { requireBearer } from '../../core/bearer';
import { streamFilter, type StreamHub } from '../../core/event-stream';
import { ServiceKey } from '../../core/services';
import type { ProjectsExporter, ProjectStatus } from './exporter';
import type { Status } from './status';

/** One check's last result as the API shows it; never the check's URL, headers or body. */
export interface CheckJson {
  readonly name: string;
  readonly type: 'http' | 'tcp' | 'process';
  /** null before the check has run. */
  readonly success: boolean | null;
  readonly duration_seconds: number | null;
  readonly reason: string | null;
  readonly http_status: number | null;
  readonly tls_expiry: string | null;
  readonly process: { readonly count: number; readonly cpu_seconds: number; readonly resident_bytes: number } | null;
}

export interface ProjectJson {
  readonly name: string;
  readonly status: Status;
  readonly failures: number;
  readonly state_changes: number;
  readonly last_check: string | null;
  readonly checking: boolean;
  readonly interval_seconds: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly checks: readonly CheckJson[];
}

const iso = (seconds: number | undefined): string | null => (seconds === undefined ? null : new Date(seconds * 1000).toISOString());

export function projectJson(p: ProjectStatus): ProjectJson {
  return {
    name: p.name,
    status: p.status,
    failures: p.failures,
    state_changes: p.stateChanges,
    last_check: iso(p.lastCheckSeconds),
    checking: p.checking,
    interval_seconds: p.config.interval / 1000,
    labels: p.config.labels,
    checks: p.config.checks.map((c) => {
      const r = p.results.get(c.name);
      return {
        name: c.name,
        type: c.type,
        success: r ? r.success : null,
        duration_seconds: r ? r.durationSeconds : null,
        reason: r ? r.reason : null,
        http_status: r?.http ? r.http.statusCode : null,
        tls_expiry: iso(r?.http?.certExpirySeconds),
        process: r?.process ? { count: r.process.count, cpu_seconds: r.process.cpuSeconds, resident_bytes: r.process.residentBytes } : null,
      };
    }),
  };
}

/** What the projects part offers the other parts (the portal) in this process. */
export interface ProjectsService {
  list(): ProjectJson[];
  get(name: string): ProjectJson | undefined;
  /** Runs the project's checks now (or joins the run going on); undefined for an unknown project. */
  check(name: string): Promise<ProjectJson | undefined> | undefined;
}
export const PROJECTS_SERVICE = new ServiceKey<ProjectsService>('projects');

export function projectsService(exporter: ProjectsExporter): ProjectsService {
  return {
    list: () => exporter.list().map(projectJson),
    get(name) {
      const p = exporter.status(name);
      return p && projectJson(p);
    },
    check(name) {
      return exporter.check(name)?.then((p) => p && projectJson(p));
    },
  };
}

/** The live stream's events: `status` when a project goes up or down, `check` after every run. */
export function publishResult(hub: StreamHub, p: ProjectStatus, from: Status): void {
  if (hub.clients === 0) return;
  const json = projectJson(p);
  const keys = { project: p.name };
  if (p.status !== from) hub.publish('status', { project: p.name, from, to: p.status }, keys);
  hub.publish('check', json, keys);
}

export interface ProjectsApi {
  readonly exporter: ProjectsExporter;
  readonly hub: StreamHub;
  /** The bearer-token check of the trigger; undefined when no token is configured. */
  token(): ((given: string) => boolean) | undefined;
}

const unknown = (name: string | undefined): HttpError => new HttpError(404, `no project ${JSON.stringify(name ?? '')}`);

/** GET /api/v1/projects, /api/v1/projects/{name}, /api/v1/projects/stream; POST /api/v1/projects/{name}/check. */
export function projectsRoutes(api: ProjectsApi): Route[] {
  const service = projectsService(api.exporter);
  return [
    { method: 'GET', path: '/api/v1/projects', handler: (_req, res) => sendJson(res, 200, { projects: service.list() }) },
    { method: 'GET', path: '/api/v1/projects/stream', handler: (req, res) => api.hub.attach(req.raw, res, streamFilter(req.query, ['project'])) },
    {
      method: 'GET',
      path: '/api/v1/projects/:name',
      handler: (req, res) => {
        const p = service.get(req.params.name ?? '');
        if (!p) throw unknown(req.params.name);
        sendJson(res, 200, p);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/projects/:name/check',
      handler: async (req, res) => {
        requireBearer(req.raw, res, api.token(), 'VIGIL_API_TOKEN or projects.api.token_file');
        req.raw.resume();
        const run = service.check(req.params.name ?? '');
        if (!run) throw unknown(req.params.name);
        const p = await run;
        if (!p) throw unknown(req.params.name);
        sendJson(res, 200, p);
      },
    },
  ];
}
