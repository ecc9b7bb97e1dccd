import type { DeploymentsConfig } from './config';
import { secondsBetween, statusRank, type ItemStatus, type JobRecord, type LogLine, type RunRecord, type StepRecord } from './model';

/** What identifies a run; enough to create it when a job or log line arrives first. */
export interface RunRef {
  readonly id: string;
  readonly source: RunRecord['source'];
  readonly kind: RunRecord['kind'];
  readonly project: string;
  readonly workflow: string;
  readonly run_id: string;
  readonly run_attempt: number;
  readonly environment?: string | null;
}

/** Where a run, job or step stands, as an event reports it. */
interface Progress {
  readonly status: ItemStatus;
  readonly conclusion?: string | null;
  readonly started_at?: string | null;
  readonly finished_at?: string | null;
  readonly duration_seconds?: number | null;
}

export interface RunInput extends RunRef, Progress {
  readonly created_at?: string | null;
  readonly branch?: string | null;
  readonly commit?: string | null;
  readonly commit_timestamp?: string | null;
  readonly actor?: string | null;
  readonly html_url?: string | null;
}

export interface StepInput extends Progress {
  readonly name: string;
  readonly number?: number | null;
}

export interface JobInput extends Progress {
  readonly id: string;
  readonly name: string;
  readonly created_at?: string | null;
  readonly runner?: string | null;
  readonly html_url?: string | null;
  /** GitHub sends every step with the job; they complete (for the metrics) when the job does. */
  readonly steps?: readonly StepInput[];
}

export type Outcome = 'accepted' | 'duplicate';

/** What became of the history with one accepted event; listeners count, log and stream it. */
export interface Change {
  readonly action: string;
  readonly run: RunRecord;
  readonly job?: JobRecord;
  readonly step?: StepRecord;
  readonly log?: LogLine;
  /** The run completed with this event (once per run). */
  readonly runCompleted?: true;
  /** The job completed with this event (once per job). */
  readonly jobCompleted?: true;
  /**
   * Steps that completed with this event, each once: the step of a step event, or on a job's
   * completion the completed steps it was sent with (those past history.max_steps_per_job too).
   */
  readonly completedSteps?: readonly StepRecord[];
  /** On a job's completion: its completed steps that did not succeed (failure, cancelled, timed_out...). */
  readonly failedSteps?: readonly StepRecord[];
}

export type ChangeListener = (change: Change) => void;

/** Runs, jobs and steps as they stand, bounded by the history limits; every accepted event is a Change. */
export interface RunHistory {
  applyRun(input: RunInput, action: string): { outcome: Outcome; run: RunRecord };
  applyJob(ref: RunRef, input: JobInput, action: string): { outcome: Outcome; run: RunRecord; job: JobRecord };
  applyStep(ref: RunRef, jobName: string, input: StepInput, action: string): { outcome: Outcome; run: RunRecord; job: JobRecord; step: StepRecord };
  applyLog(ref: RunRef, line: LogLine, action: string): { run: RunRecord };
  /** Hears every change, in order; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  get(id: string): RunRecord | undefined;
  /** Most recently changed first. */
  recent(project: string | undefined, limit: number): RunRecord[];
  /** Restores runs read from the journal (oldest first); no change is announced. */
  restore(runs: readonly RunRecord[]): void;
  all(): IterableIterator<RunRecord>;
  /** Runs changed since the last call (for the journal). */
  takeDirty(): RunRecord[];
  /** Marks runs changed again (a journal write failed), ahead of those changed since. */
  markDirty(runs: readonly RunRecord[]): void;
  configure(cfg: DeploymentsConfig): void;
}

/** Step conclusions that are not a failure worth an event of their own. */
const NOT_FAILED = new Set(['success', 'skipped', 'neutral']);

function set<T>(value: T | null | undefined, current: T): T {
  return value === undefined || value === null ? current : value;
}

const isDone = (s: { status: ItemStatus | RunRecord['status'] }): boolean => s.status === 'completed';

/** Journals written before the run history stopped storing them carry `counted` flags; dropped on load. */
function dropLegacyFlags(run: RunRecord): void {
  const strip = (o: object): void => void delete (o as { counted?: unknown }).counted;
  strip(run);
  for (const job of run.jobs) {
    strip(job);
    for (const step of job.steps) strip(step);
  }
}

function newRun(ref: RunRef, at: string): RunRecord {
  return {
    id: ref.id,
    source: ref.source,
    kind: ref.kind,
    project: ref.project,
    workflow: ref.workflow,
    run_id: ref.run_id,
    run_attempt: ref.run_attempt,
    environment: ref.environment ?? null,
    status: 'unknown',
    conclusion: null,
    created_at: null,
    started_at: null,
    finished_at: null,
    duration_seconds: null,
    branch: null,
    commit: null,
    commit_timestamp: null,
    actor: null,
    html_url: null,
    jobs: [],
    logs: [],
    updated_at: at,
  };
}

const newStep = (input: StepInput): StepRecord => ({
  name: input.name,
  number: null,
  status: 'queued',
  conclusion: null,
  started_at: null,
  finished_at: null,
  duration_seconds: null,
});

const newJob = (id: string, name: string): JobRecord => ({
  id,
  name,
  status: 'queued',
  conclusion: null,
  created_at: null,
  started_at: null,
  finished_at: null,
  duration_seconds: null,
  queue_seconds: null,
  runner: null,
  html_url: null,
  steps: [],
});

/** The fields every level shares: status (already checked to move forward), conclusion, start and end. */
function mergeProgress(item: Pick<StepRecord, 'conclusion' | 'started_at' | 'finished_at'> & { status: string }, input: Progress): void {
  item.status = input.status;
  item.conclusion = set(input.conclusion, item.conclusion);
  item.started_at = set(input.started_at, item.started_at);
  item.finished_at = set(input.finished_at, item.finished_at);
}

function mergeStep(step: StepRecord, input: StepInput): void {
  step.number = set(input.number, step.number);
  mergeProgress(step, input);
  if (isDone(step)) step.duration_seconds = input.duration_seconds ?? secondsBetween(step.started_at, step.finished_at);
}

function mergeRun(run: RunRecord, input: RunInput): void {
  run.project = input.project;
  run.workflow = input.workflow;
  mergeProgress(run, input);
  run.created_at = set(input.created_at, run.created_at);
  run.branch = set(input.branch, run.branch);
  run.commit = set(input.commit, run.commit);
  run.commit_timestamp = set(input.commit_timestamp, run.commit_timestamp);
  run.actor = set(input.actor, run.actor);
  run.html_url = set(input.html_url, run.html_url);
  if (isDone(run)) run.duration_seconds = input.duration_seconds ?? secondsBetween(run.started_at ?? run.created_at, run.finished_at);
}

function mergeJob(job: JobRecord, input: JobInput): void {
  job.name = input.name;
  mergeProgress(job, input);
  job.created_at = set(input.created_at, job.created_at);
  job.runner = set(input.runner, job.runner);
  job.html_url = set(input.html_url, job.html_url);
  if (job.created_at && job.started_at && job.status !== 'queued') job.queue_seconds = secondsBetween(job.created_at, job.started_at);
  if (isDone(job)) job.duration_seconds = input.duration_seconds ?? secondsBetween(job.started_at, job.finished_at);
}

/**
 * Merges a job's steps as GitHub sends them (all of them, with every delivery): the first
 * `max` are kept; on the job's completion the completed ones, those past `max` included, are
 * returned as completing with it.
 */
function mergeJobSteps(job: JobRecord, inputs: readonly StepInput[], max: number): StepRecord[] {
  const kept: StepRecord[] = [];
  const completed: StepRecord[] = [];
  const jobDone = isDone(job);
  for (let i = 0; i < inputs.length; i++) {
    const s = inputs[i] as StepInput;
    if (i >= max) {
      if (!jobDone || s.status !== 'completed') continue;
      const step = newStep(s);
      mergeStep(step, s);
      completed.push(step);
      continue;
    }
    const step = job.steps.find((x) => x.name === s.name && x.number === (s.number ?? null)) ?? newStep(s);
    if (statusRank(s.status) >= statusRank(step.status)) mergeStep(step, s);
    kept.push(step);
    if (jobDone && isDone(step)) completed.push(step);
  }
  job.steps = kept;
  return completed;
}

/**
 * Order-independent state of runs, jobs and steps: a status only moves forward (queued, in
 * progress, completed) and a completed item does not complete again, so GitHub's out-of-order
 * and repeated deliveries announce each completion exactly once, and the listeners (the metrics
 * counter) count what the ordered sequence would have. Bounded: the oldest runs leave first.
 */
export function createRunHistory(initial: DeploymentsConfig, now: () => number = Date.now): RunHistory {
  const nowIso = (): string => new Date(now()).toISOString();
  let cfg = initial;
  const runs = new Map<string, RunRecord>();
  const dirty = new Set<string>();
  const listeners = new Set<ChangeListener>();

  const evict = (): void => {
    while (runs.size > cfg.history.max_runs) {
      const oldest = runs.keys().next().value as string;
      runs.delete(oldest);
      dirty.delete(oldest);
    }
  };

  const touch = (change: Change): void => {
    const { run } = change;
    run.updated_at = nowIso();
    runs.delete(run.id);
    runs.set(run.id, run);
    evict();
    dirty.add(run.id);
    for (const listener of listeners) listener(change);
  };

  const ensureRun = (ref: RunRef): RunRecord => {
    let run = runs.get(ref.id);
    if (!run) {
      run = newRun(ref, nowIso());
      runs.set(run.id, run);
    } else if (ref.environment && !run.environment) {
      run.environment = ref.environment;
    }
    return run;
  };

  const ensureJob = (run: RunRecord, id: string, name: string): JobRecord => {
    const found = run.jobs.find((j) => j.id === id);
    if (found) return found;
    const job = newJob(id, name);
    run.jobs.push(job);
    // Bounded: the oldest jobs of a huge matrix leave the history (their completions were announced).
    if (run.jobs.length > cfg.history.max_jobs_per_run) run.jobs.shift();
    return job;
  };

  /** Whether an event for an item is stale: behind its status, or a second completion. */
  const stale = (input: ItemStatus, current: RunRecord['status']): boolean =>
    statusRank(input) < statusRank(current) || (current === 'completed' && input === 'completed');

  return {
    applyRun(input, action) {
      const run = ensureRun(input);
      if (stale(input.status, run.status)) return { outcome: 'duplicate', run };
      mergeRun(run, input);
      touch(isDone(run) ? { action, run, runCompleted: true } : { action, run });
      return { outcome: 'accepted', run };
    },

    applyJob(ref, input, action) {
      const run = ensureRun(ref);
      const job = ensureJob(run, input.id, input.name);
      if (stale(input.status, job.status)) return { outcome: 'duplicate', run, job };
      mergeJob(job, input);
      const completedSteps = input.steps ? mergeJobSteps(job, input.steps, cfg.history.max_steps_per_job) : [];
      if (!isDone(job)) {
        touch({ action, run, job });
        return { outcome: 'accepted', run, job };
      }
      const failedSteps = completedSteps.filter((s) => !NOT_FAILED.has(s.conclusion ?? ''));
      touch({ action, run, job, jobCompleted: true, completedSteps, ...(failedSteps.length > 0 ? { failedSteps } : {}) });
      return { outcome: 'accepted', run, job };
    },

    applyStep(ref, jobName, input, action) {
      const run = ensureRun(ref);
      let job = run.jobs.find((j) => j.id === jobName);
      if (!job) {
        job = ensureJob(run, jobName, jobName);
        job.status = 'in_progress';
      }
      let step = job.steps.find((s) => s.name === input.name);
      if (!step) {
        step = newStep(input);
        if (job.steps.length < cfg.history.max_steps_per_job) job.steps.push(step);
      }
      if (stale(input.status, step.status)) return { outcome: 'duplicate', run, job, step };
      mergeStep(step, input);
      touch(isDone(step) ? { action, run, job, step, completedSteps: [step] } : { action, run, job, step });
      return { outcome: 'accepted', run, job, step };
    },

    applyLog(ref, line, action) {
      const run = ensureRun(ref);
      run.logs.push(line);
      if (run.logs.length > cfg.history.max_log_lines_per_run) run.logs.splice(0, run.logs.length - cfg.history.max_log_lines_per_run);
      touch({ action, run, log: line });
      return { run };
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: (id) => runs.get(id),
    recent(project, limit) {
      const out: RunRecord[] = [];
      const all = [...runs.values()];
      for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
        const run = all[i] as RunRecord;
        if (project === undefined || run.project === project) out.push(run);
      }
      return out;
    },
    restore(list) {
      for (const run of list) {
        dropLegacyFlags(run);
        runs.delete(run.id);
        runs.set(run.id, run);
      }
      evict();
    },
    all: () => runs.values(),
    takeDirty() {
      const out: RunRecord[] = [];
      for (const id of dirty) {
        const run = runs.get(id);
        if (run) out.push(run);
      }
      dirty.clear();
      return out;
    },
    markDirty(list) {
      if (list.length === 0) return;
      const since = [...dirty];
      dirty.clear();
      for (const run of list) if (runs.get(run.id) === run) dirty.add(run.id);
      for (const id of since) {
        dirty.delete(id);
        dirty.add(id);
      }
    },
    configure(next) {
      cfg = next;
      evict();
    },
  };
}
