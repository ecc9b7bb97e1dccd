import type { ProjectConfig } from './config';
import type { ProbeResult } from './probes/probe';
import { renderProject, type ProjectLines } from './render';
import { nextStatus, type Status } from './status';

/** What the exporter knows about one project; kept across reloads while the project exists. */
export interface ProjectState {
  config: ProjectConfig;
  /** Bumped when the config changes, so results of a run under the old config are dropped. */
  version: number;
  status: Status;
  failures: number;
  stateChanges: number;
  lastCheckSeconds: number | undefined;
  results: Map<string, ProbeResult>;
  running: Promise<void> | undefined;
  /** Aborts the running run's checks: on stop, on removal and when the project's config changes. */
  abort: AbortController | undefined;
  rendered: ProjectLines;
}

/** A project as the API and the live stream show it (a read-only view of its state). */
export interface ProjectStatus {
  readonly name: string;
  readonly config: ProjectConfig;
  readonly status: Status;
  readonly failures: number;
  readonly stateChanges: number;
  readonly lastCheckSeconds: number | undefined;
  readonly results: ReadonlyMap<string, ProbeResult>;
  /** A run of its checks is going on now. */
  readonly checking: boolean;
}

/** A status change made by a run's results (`from` === `to` when the status held). */
export interface Transition {
  readonly from: Status;
  readonly to: Status;
  /** The failed checks and their reasons, or "all checks passed". */
  readonly reason: string;
}

/** A project seen for the first time: unknown until its first decisive run, its lines rendered. */
export function newProjectState(config: ProjectConfig): ProjectState {
  const state: ProjectState = {
    config,
    version: 0,
    status: 'unknown',
    failures: 0,
    stateChanges: 0,
    lastCheckSeconds: undefined,
    results: new Map(),
    running: undefined,
    abort: undefined,
    rendered: {},
  };
  state.rendered = renderProject(state);
  return state;
}

export function projectStatus(s: ProjectState): ProjectStatus {
  return {
    name: s.config.name,
    config: s.config,
    status: s.status,
    failures: s.failures,
    stateChanges: s.stateChanges,
    lastCheckSeconds: s.lastCheckSeconds,
    results: s.results,
    checking: s.running !== undefined,
  };
}

/** Records a finished run: results, time, flap-damped status, state changes and the rendered lines. */
export function settleRun(state: ProjectState, results: Map<string, ProbeResult>, nowSeconds: number): Transition {
  const cfg = state.config;
  state.results = results;
  state.lastCheckSeconds = nowSeconds;
  const passed = cfg.checks.every((c) => results.get(c.name)?.success === true);
  const next = nextStatus(state, passed, cfg.retries);
  const from = state.status;
  state.failures = next.failures;
  state.status = next.status;
  if (next.status !== from && from !== 'unknown') state.stateChanges++;
  state.rendered = renderProject(state);
  return { from, to: next.status, reason: describeFailures(cfg, results) };
}

/**
 * A changed project keeps its status and counters (no spurious state change) and the results of
 * the checks in `keptChecks`; the run still going under the old config is abandoned.
 */
export function reconfigure(state: ProjectState, config: ProjectConfig, keptChecks: ReadonlySet<string>): void {
  for (const name of [...state.results.keys()]) if (!keptChecks.has(name)) state.results.delete(name);
  state.config = config;
  state.version++;
  state.abort?.abort();
  state.running = undefined;
  state.abort = undefined;
  state.rendered = renderProject(state);
}

function describeFailures(config: ProjectConfig, results: ReadonlyMap<string, ProbeResult>): string {
  const failed = config.checks.flatMap((c) => {
    const r = results.get(c.name);
    return r && !r.success ? [`${c.name}: ${r.reason}`] : [];
  });
  return failed.length > 0 ? failed.join('; ') : 'all checks passed';
}
