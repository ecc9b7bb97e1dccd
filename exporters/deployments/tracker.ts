import type { DeploymentsConfig } from './config';
import { createLabelGuard, type LabelGuard } from './label-guard';
import type { DeploymentMetrics } from './metrics';
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

export interface RunInput extends RunRef {
  readonly status: ItemStatus;
  readonly conclusion?: string | null;
  readonly created_at?: string | null;
  readonly started_at?: string | null;
  readonly finished_at?: string | null;
  readonly duration_seconds?: number | null;
  readonly branch?: string | null;
  readonly commit?: string | null;
  readonly commit_timestamp?: string | null;
  readonly actor?: string | null;
  readonly html_url?: string | null;
}

export interface StepInput {
  readonly name: string;
  readonly number?: number | null;
  readonly status: ItemStatus;
  readonly conclusion?: string | null;
  readonly started_at?: string | null;
  readonly finished_at?: string | null;
  readonly duration_seconds?: number | null;
}

export interface JobInput {
  readonly id: string;
  readonly name: string;
  readonly status: ItemStatus;
  readonly conclusion?: string | null;
  readonly created_at?: string | null;
  readonly started_at?: string | null;
  readonly finished_at?: string | null;
  readonly duration_seconds?: number | null;
  readonly runner?: string | null;
  readonly html_url?: string | null;
  /** GitHub sends every step with the job; they are counted when the job completes. */
  readonly steps?: readonly StepInput[];
}

export type Outcome = 'accepted' | 'duplicate';

export interface Change {
  readonly action: string;
  readonly run: RunRecord;
  readonly job?: JobRecord;
  readonly step?: StepRecord;
  readonly log?: LogLine;
  /** On a job's completion: its steps counted with it that did not succeed (failure, cancelled, timed_out...). */
  readonly failedSteps?: readonly StepRecord[];
}

export interface Tracker {
  applyRun(input: RunInput, action: string): { outcome: Outcome; run: RunRecord };
  applyJob(ref: RunRef, input: JobInput, action: string): { outcome: Outcome; run: RunRecord; job: JobRecord };
  applyStep(ref: RunRef, jobName: string, input: StepInput, action: string): { outcome: Outcome; run: RunRecord; job: JobRecord; step: StepRecord };
  applyLog(ref: RunRef, line: LogLine, action: string): { run: RunRecord };
  get(id: string): RunRecord | undefined;
  /** Most recently changed first. */
  recent(project: string | undefined, limit: number): RunRecord[];
  /** Restores runs read from the journal (oldest first) without counting them again. */
  restore(runs: readonly RunRecord[]): void;
  all(): IterableIterator<RunRecord>;
  /** Ids of runs changed since the last call. */
  takeDirty(): RunRecord[];
  /** Marks runs changed again (a journal write failed), ahead of those changed since. */
  markDirty(runs: readonly RunRecord[]): void;
  /** Sets deployments_in_progress from the kept runs; called before rendering. */
  refreshGauges(): void;
  configure(cfg: DeploymentsConfig): void;
}

/** Conclusions GitHub and the events API send; anything else is counted as "other" to keep labels bounded. */
const CONCLUSIONS = new Set([
  'success',
  'failure',
  'cancelled',
  'skipped',
  'timed_out',
  'action_required',
  'neutral',
  'stale',
  'startup_failure',
  'error',
  'inactive',
]);

/** Step conclusions that are not a failure worth an event of their own. */
const NOT_FAILED = new Set(['success', 'skipped', 'neutral']);

export function conclusionLabel(conclusion: string | null | undefined): string {
  if (!conclusion) return 'unknown';
  return CONCLUSIONS.has(conclusion) ? conclusion : 'other';
}


function set<T>(value: T | null | undefined, current: T): T {
  return value === undefined || value === null ? current : value;
}

/**
 * Order-independent state of runs, jobs and steps: a status only moves forward (queued, in
 * progress, completed), and each completion is counted in the metrics exactly once, so GitHub's
 * out-of-order and repeated deliveries give the same final metrics as the ordered sequence.
 */
export function createTracker(initial: DeploymentsConfig, metrics: DeploymentMetrics, onChange: (change: Change) => void, now: () => number = Date.now): Tracker {
  const nowIso = (): string => new Date(now()).toISOString();
  let cfg = initial;
  const runs = new Map<string, RunRecord>();
  const dirty = new Set<string>();
  const projects: LabelGuard = createLabelGuard(cfg.metrics.max_projects);
  const workflows: LabelGuard = createLabelGuard(cfg.metrics.max_workflows_per_project);
  const jobs: LabelGuard = createLabelGuard(cfg.metrics.max_jobs_per_workflow);
  const steps: LabelGuard = createLabelGuard(cfg.metrics.max_steps_per_job);
  const lastRun = new Map<string, number>();
  const gaugeKeys = new Set<string>();

  const runLabels = (run: RunRecord): { project: string; workflow: string } => {
    const project = projects.value('', run.project);
    return { project, workflow: workflows.value(project, run.workflow) };
  };
  const jobLabel = (l: { project: string; workflow: string }, job: string): string => jobs.value(`${l.project}\u0000${l.workflow}`, job);

  const touch = (run: RunRecord, change: Omit<Change, 'run'>): void => {
    run.updated_at = nowIso();
    runs.delete(run.id);
    runs.set(run.id, run);
    while (runs.size > cfg.history.max_runs) {
      const oldest = runs.keys().next().value as string;
      runs.delete(oldest);
      dirty.delete(oldest);
    }
    dirty.add(run.id);
    metrics.changed();
    onChange({ ...change, run });
  };

  const ensureRun = (ref: RunRef): RunRecord => {
    let run = runs.get(ref.id);
    if (!run) {
      run = {
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
        updated_at: nowIso(),
        counted: false,
      };
      runs.set(run.id, run);
    } else if (ref.environment && !run.environment) {
      run.environment = ref.environment;
    }
    return run;
  };

  const countRun = (run: RunRecord): void => {
    run.counted = true;
    const conclusion = conclusionLabel(run.conclusion);
    if (run.kind === 'deployment' || run.kind === 'pipeline') {
      metrics.deployments.inc({ project: projects.value('', run.project), environment: run.environment ?? 'unknown', status: conclusion });
    }
    if (run.kind === 'deployment') return;
    const l = runLabels(run);
    const labels = { ...l, conclusion };
    metrics.workflowRuns.inc(labels);
    if (run.duration_seconds !== null) metrics.workflowRunDuration.observe(labels, run.duration_seconds);
    const finished = run.finished_at ? Date.parse(run.finished_at) / 1000 : NaN;
    if (Number.isFinite(finished)) {
      const key = `${l.project}\u0000${l.workflow}\u0000${conclusion}`;
      const prev = lastRun.get(key);
      if (prev === undefined || finished > prev) {
        lastRun.set(key, finished);
        metrics.lastRun.set(labels, finished);
      }
    }
    if (run.conclusion === 'success') {
      const from = run.source === 'api' ? (run.commit_timestamp ?? run.started_at) : run.commit_timestamp;
      const lead = secondsBetween(from, run.finished_at);
      if (lead !== null) metrics.leadTime.observe(l, lead);
    }
  };

  /** Labels of a job's steps: computed once per job, not once per step. */
  const stepScope = (run: RunRecord, job: JobRecord): { project: string; workflow: string; job_name: string; scope: string } => {
    const l = runLabels(run);
    const jobName = jobLabel(l, job.name);
    return { ...l, job_name: jobName, scope: `${l.project}\u0000${l.workflow}\u0000${jobName}` };
  };

  const countStep = (s: ReturnType<typeof stepScope>, step: StepRecord): void => {
    step.counted = true;
    if (step.duration_seconds === null) return;
    const labels = { project: s.project, workflow: s.workflow, job_name: s.job_name, step: steps.value(s.scope, step.name), conclusion: conclusionLabel(step.conclusion) };
    metrics.stepDuration.observe(labels, step.duration_seconds);
  };

  /** Counts a completed job and its steps not yet counted (kept ones and `overflow`, past the history's limit); returns those that failed. */
  const countJob = (run: RunRecord, job: JobRecord, overflow: readonly StepRecord[]): StepRecord[] | undefined => {
    job.counted = true;
    const l = runLabels(run);
    const jobName = jobLabel(l, job.name);
    const labels = { ...l, job_name: jobName, conclusion: conclusionLabel(job.conclusion) };
    metrics.jobRuns.inc(labels);
    if (job.duration_seconds !== null) metrics.jobDuration.observe(labels, job.duration_seconds);
    if (job.queue_seconds !== null) metrics.jobQueue.observe({ ...l, job_name: jobName }, job.queue_seconds);
    const scope = { ...l, job_name: jobName, scope: `${l.project}\u0000${l.workflow}\u0000${jobName}` };
    let failed: StepRecord[] | undefined;
    const count = (step: StepRecord): void => {
      if (step.status !== 'completed' || step.counted) return;
      countStep(scope, step);
      if (!NOT_FAILED.has(step.conclusion ?? '')) (failed ??= []).push(step);
    };
    for (const step of job.steps) count(step);
    for (const step of overflow) count(step);
    return failed;
  };

  const mergeStep = (step: StepRecord, input: StepInput): void => {
    step.number = set(input.number, step.number);
    step.status = input.status;
    step.conclusion = set(input.conclusion, step.conclusion);
    step.started_at = set(input.started_at, step.started_at);
    step.finished_at = set(input.finished_at, step.finished_at);
    if (step.status === 'completed') step.duration_seconds = input.duration_seconds ?? secondsBetween(step.started_at, step.finished_at);
  };

  const newStep = (input: StepInput): StepRecord => ({
    name: input.name,
    number: null,
    status: 'queued',
    conclusion: null,
    started_at: null,
    finished_at: null,
    duration_seconds: null,
    counted: false,
  });

  const findJob = (run: RunRecord, id: string): JobRecord | undefined => run.jobs.find((j) => j.id === id);

  const newJob = (run: RunRecord, id: string, name: string): JobRecord => {
    const job: JobRecord = {
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
      counted: false,
    };
    run.jobs.push(job);
    // Bounded: the oldest jobs of a huge matrix leave the history (their metrics were counted).
    if (run.jobs.length > cfg.history.max_jobs_per_run) run.jobs.shift();
    return job;
  };

  const tracker: Tracker = {
    applyRun(input, action) {
      const run = ensureRun(input);
      if (statusRank(input.status) < statusRank(run.status) || (run.status === 'completed' && input.status === 'completed')) {
        return { outcome: 'duplicate', run };
      }
      run.project = input.project;
      run.workflow = input.workflow;
      run.status = input.status;
      run.conclusion = set(input.conclusion, run.conclusion);
      run.created_at = set(input.created_at, run.created_at);
      run.started_at = set(input.started_at, run.started_at);
      run.finished_at = set(input.finished_at, run.finished_at);
      run.branch = set(input.branch, run.branch);
      run.commit = set(input.commit, run.commit);
      run.commit_timestamp = set(input.commit_timestamp, run.commit_timestamp);
      run.actor = set(input.actor, run.actor);
      run.html_url = set(input.html_url, run.html_url);
      if (run.status === 'completed') {
        run.duration_seconds = input.duration_seconds ?? secondsBetween(run.started_at ?? run.created_at, run.finished_at);
        if (!run.counted) countRun(run);
      }
      touch(run, { action });
      return { outcome: 'accepted', run };
    },

    applyJob(ref, input, action) {
      const run = ensureRun(ref);
      const job = findJob(run, input.id) ?? newJob(run, input.id, input.name);
      if (statusRank(input.status) < statusRank(job.status) || (job.status === 'completed' && input.status === 'completed' && job.counted)) {
        return { outcome: 'duplicate', run, job };
      }
      job.name = input.name;
      job.status = input.status;
      job.conclusion = set(input.conclusion, job.conclusion);
      job.created_at = set(input.created_at, job.created_at);
      job.started_at = set(input.started_at, job.started_at);
      job.finished_at = set(input.finished_at, job.finished_at);
      job.runner = set(input.runner, job.runner);
      job.html_url = set(input.html_url, job.html_url);
      // Steps past the history's limit are not kept, but counted (and logged) when the job completes.
      const overflow: StepRecord[] = [];
      if (input.steps) {
        const kept: StepRecord[] = [];
        const max = cfg.history.max_steps_per_job;
        for (let i = 0; i < input.steps.length; i++) {
          const s = input.steps[i] as StepInput;
          if (i >= max) {
            if (job.status !== 'completed' || s.status !== 'completed') continue;
            const step = newStep(s);
            mergeStep(step, s);
            overflow.push(step);
            continue;
          }
          const step = job.steps.find((x) => x.name === s.name && x.number === (s.number ?? null)) ?? newStep(s);
          if (statusRank(s.status) >= statusRank(step.status)) mergeStep(step, s);
          kept.push(step);
        }
        job.steps = kept;
      }
      if (job.created_at && job.started_at && job.status !== 'queued') job.queue_seconds = secondsBetween(job.created_at, job.started_at);
      let failedSteps: StepRecord[] | undefined;
      if (job.status === 'completed') {
        job.duration_seconds = input.duration_seconds ?? secondsBetween(job.started_at, job.finished_at);
        failedSteps = countJob(run, job, overflow);
      }
      touch(run, failedSteps ? { action, job, failedSteps } : { action, job });
      return { outcome: 'accepted', run, job };
    },

    applyStep(ref, jobName, input, action) {
      const run = ensureRun(ref);
      let job = findJob(run, jobName);
      if (!job) {
        job = newJob(run, jobName, jobName);
        job.status = 'in_progress';
      }
      let step = job.steps.find((s) => s.name === input.name);
      if (!step) {
        step = newStep(input);
        if (job.steps.length < cfg.history.max_steps_per_job) job.steps.push(step);
      }
      if (statusRank(input.status) < statusRank(step.status) || (step.status === 'completed' && step.counted)) {
        return { outcome: 'duplicate', run, job, step };
      }
      mergeStep(step, input);
      if (step.status === 'completed') countStep(stepScope(run, job), step);
      touch(run, { action, job, step });
      return { outcome: 'accepted', run, job, step };
    },

    applyLog(ref, line, action) {
      const run = ensureRun(ref);
      run.logs.push(line);
      if (run.logs.length > cfg.history.max_log_lines_per_run) run.logs.splice(0, run.logs.length - cfg.history.max_log_lines_per_run);
      touch(run, { action, log: line });
      return { run };
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
        runs.delete(run.id);
        runs.set(run.id, run);
      }
      while (runs.size > cfg.history.max_runs) runs.delete(runs.keys().next().value as string);
      metrics.changed();
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
    refreshGauges() {
      const counts = new Map<string, { project: string; workflow: string; n: number }>();
      const staleBefore = now() - cfg.history.stale_after;
      for (const run of runs.values()) {
        if (run.kind === 'deployment' || run.status === 'unknown') continue;
        const l = runLabels(run);
        const key = `${l.project}\u0000${l.workflow}`;
        const n = run.status === 'completed' || Date.parse(run.updated_at) < staleBefore ? 0 : 1;
        const c = counts.get(key);
        if (c) c.n += n;
        else counts.set(key, { ...l, n });
      }
      for (const key of gaugeKeys) {
        if (counts.has(key)) continue;
        const [project, workflow] = key.split('\u0000') as [string, string];
        metrics.inProgress.set({ project, workflow }, 0);
      }
      for (const [key, c] of counts) {
        gaugeKeys.add(key);
        metrics.inProgress.set({ project: c.project, workflow: c.workflow }, c.n);
      }
    },
    configure(next) {
      cfg = next;
      projects.setMax(next.metrics.max_projects);
      workflows.setMax(next.metrics.max_workflows_per_project);
      jobs.setMax(next.metrics.max_jobs_per_workflow);
      steps.setMax(next.metrics.max_steps_per_job);
      while (runs.size > cfg.history.max_runs) runs.delete(runs.keys().next().value as string);
    },
  };
  return tracker;
}
