import { setMaxListeners } from 'node:events';
import { every, jitterFor, type Schedule } from '../../core/scheduler';
import { errorFields, type Logger } from '../../core/logger';
import { DATASET } from './dataset';
import type { ProjectsConfig } from './config';
import { createLimiter } from './limiter';
import { createProcessTable, type ProcessTable } from './process-table';
import { probeHttp } from './probes/http';
import { createProcessProbe } from './probes/process';
import { secondsSince, type ProbeResult } from './probes/probe';
import { probeTcp } from './probes/tcp';
import { runCheck, type Probes } from './run-check';
import { diffProjects } from './diff';
import { renderAll, renderCycles } from './render';
import type { Status } from './status';
import { newProjectState, projectStatus, reconfigure, settleRun, type ProjectState, type ProjectStatus } from './project-state';

export type { ProjectStatus } from './project-state';

export interface ProjectsExporterOptions {
  readonly config: ProjectsConfig;
  readonly logger: Logger;
  /** Defaults to procfs at `procfs()`. */
  readonly processTable?: ProcessTable;
  /** The procfs root for process checks (host.procfs when the host part runs); /proc by default. */
  readonly procfs?: () => string;
  /** Wall clock in milliseconds, for project_last_check_timestamp_seconds. */
  readonly now?: () => number;
  /** Starts a repeating cycle; core/scheduler.ts's `every` unless a test watches the schedules. */
  readonly every?: typeof every;
  /** Hears every completed run of a project (the projects API's live stream). */
  readonly onResult?: (project: ProjectStatus, from: Status) => void;
}

export interface ProjectsExporter {
  /** Schedules every project (one timer per interval, see core/scheduler.ts) and runs them all once now. */
  start(): void;
  /** Runs every project that is not running already; resolves when all of them have finished. */
  runAll(): Promise<void>;
  /** Applies a new, validated section: added, changed and removed projects take effect at once. */
  reload(config: ProjectsConfig): void;
  /** Stops the schedule, aborts running checks and waits for them. */
  stop(): Promise<void>;
  /** Prometheus text of every project family; re-joined only after a result changed. */
  metrics(): string;
  status(name: string): ProjectStatus | undefined;
  /** Every project, in configuration order. */
  list(): ProjectStatus[];
  /** Runs the project's checks now, or joins the run already going; undefined for an unknown project. */
  check(name: string): Promise<ProjectStatus | undefined> | undefined;
}

/**
 * The project-status exporter: checks every configured project on its schedule with bounded
 * concurrency, keeps the results with flap damping, logs every state change, and serves the
 * cached results at scrape time.
 */
export function createProjectsExporter(opts: ProjectsExporterOptions): ProjectsExporter {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  let config = opts.config;
  const limiter = createLimiter(config.concurrency);
  const projects = new Map<string, ProjectState>();
  const schedules: Schedule[] = [];
  const inflight = new Map<Promise<void>, AbortController>();
  let stopped = false;
  let scheduled = false;
  let text = '';
  let dirty = true;
  /** Seconds the last scheduled cycle of each interval took, to see whether checks keep up. */
  const cycles = new Map<number, number>();

  const shortestInterval = (): number => Math.min(config.interval, ...config.targets.map((t) => t.interval));
  const probes: Probes = {
    http: probeHttp,
    tcp: probeTcp,
    process: createProcessProbe({ table: opts.processTable ?? createProcessTable(opts.procfs), listMaxAgeMs: shortestInterval }),
  };

  const apply = (state: ProjectState, results: Map<string, ProbeResult>): void => {
    const { from, to, reason } = settleRun(state, results, now() / 1000);
    dirty = true;
    if (to !== from) {
      logger.info('project status changed', {
        event: { action: 'project-status-changed', dataset: DATASET },
        project: { name: state.config.name, from, to, reason },
      });
    }
    opts.onResult?.({ ...projectStatus(state), checking: false }, from);
  };

  const runProject = (state: ProjectState): Promise<void> => {
    const { version, config: cfg } = state;
    const abort = new AbortController();
    setMaxListeners(cfg.checks.length + 1, abort.signal);
    const run = (async () => {
      const results = new Map<string, ProbeResult>();
      await Promise.all(
        cfg.checks.map(async (check) => {
          results.set(check.name, await limiter.run(() => runCheck(probes, check, abort.signal)));
        }),
      );
      // A project removed, changed or stopped meanwhile: this run's results are stale.
      if (abort.signal.aborted || projects.get(cfg.name) !== state || state.version !== version) return;
      apply(state, results);
    })()
      .catch((err: unknown) => {
        logger.error('project run failed', { ...errorFields(err), event: { action: 'project-run-failed', dataset: DATASET }, project: { name: cfg.name } });
      })
      .finally(() => {
        inflight.delete(run);
        if (state.running === run) {
          state.running = undefined;
          state.abort = undefined;
        }
      });
    state.running = run;
    state.abort = abort;
    inflight.set(run, abort);
    return run;
  };

  const runMany = async (states: Iterable<ProjectState>): Promise<void> => {
    const runs: Promise<void>[] = [];
    for (const state of states) {
      if (state.running || stopped) continue;
      runs.push(runProject(state));
    }
    await Promise.all(runs);
  };

  /** One scheduled cycle: every project of that interval; its duration is exported per interval. */
  const tick = async (intervalMs: number): Promise<void> => {
    const start = performance.now();
    await runMany([...projects.values()].filter((s) => s.config.interval === intervalMs));
    if (stopped) return;
    cycles.set(intervalMs, secondsSince(start));
    dirty = true;
  };

  const unschedule = (): void => {
    for (const s of schedules.splice(0)) s.stop();
  };

  /** One timer per interval, each at its own random phase (see core/scheduler.ts). */
  const schedule = (): void => {
    for (const ms of new Set(config.targets.map((t) => t.interval))) {
      const cycle = (): void => {
        tick(ms).catch((err: unknown) => {
          logger.error('project check cycle failed', { ...errorFields(err), event: { dataset: DATASET } });
        });
      };
      schedules.push((opts.every ?? every)(ms, cycle, { jitterMs: jitterFor(ms) }));
    }
  };

  /** Applies a new configuration to the kept state (see diffProjects); returns the projects to run now. */
  const applyConfig = (next: ProjectsConfig): ProjectState[] => {
    const diff = diffProjects(new Map([...projects].map(([name, state]) => [name, state.config])), next.targets);
    for (const name of diff.removed) {
      projects.get(name)?.abort?.abort();
      projects.delete(name);
      dirty = true;
    }
    const toRun: ProjectState[] = [];
    for (const cfg of diff.added) {
      const fresh = newProjectState(cfg);
      projects.set(cfg.name, fresh);
      toRun.push(fresh);
    }
    for (const { config: cfg, keptChecks } of diff.changed) {
      const state = projects.get(cfg.name) as ProjectState;
      reconfigure(state, cfg, keptChecks);
      toRun.push(state);
    }
    dirty = true;
    // Keep the configuration order, which is the exposition order.
    const ordered = next.targets.map((t) => [t.name, projects.get(t.name) as ProjectState] as const);
    projects.clear();
    for (const [name, state] of ordered) projects.set(name, state);
    config = next;
    limiter.resize(next.concurrency);
    return toRun;
  };

  applyConfig(config);

  const runInBackground = (states: Iterable<ProjectState>): void => {
    runMany(states).catch((err: unknown) => {
      logger.error('project check cycle failed', { ...errorFields(err), event: { dataset: DATASET } });
    });
  };

  return {
    start() {
      scheduled = true;
      schedule();
      for (const ms of new Set(config.targets.map((t) => t.interval))) {
        tick(ms).catch((err: unknown) => {
          logger.error('project check cycle failed', { ...errorFields(err), event: { dataset: DATASET } });
        });
      }
    },
    runAll: () => runMany(projects.values()),
    reload(next) {
      const toRun = applyConfig(next);
      if (!scheduled) return;
      unschedule();
      schedule();
      runInBackground(toRun);
    },
    async stop() {
      scheduled = false;
      stopped = true;
      for (const abort of inflight.values()) abort.abort();
      unschedule();
      await Promise.all([...inflight.keys()]);
    },
    metrics() {
      if (dirty) {
        const intervals = new Set(config.targets.map((t) => t.interval));
        for (const ms of cycles.keys()) if (!intervals.has(ms)) cycles.delete(ms);
        text = renderAll([...projects.values()].map((s) => s.rendered)) + renderCycles(cycles);
        dirty = false;
      }
      return text;
    },
    status(name) {
      const s = projects.get(name);
      return s && projectStatus(s);
    },
    list: () => [...projects.values()].map(projectStatus),
    check(name) {
      const state = projects.get(name);
      if (!state) return undefined;
      const run = state.running ?? (stopped ? Promise.resolve() : runProject(state));
      return run.then(() => {
        const s = projects.get(name);
        return s && projectStatus(s);
      });
    },
  };
}
