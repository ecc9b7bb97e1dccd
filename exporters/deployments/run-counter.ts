import type { DeploymentsConfig } from './config';
import { createLabelGuard } from './label-guard';
import type { DeploymentMetrics } from './metrics';
import { secondsBetween, type JobRecord, type RunRecord, type StepRecord } from './model';
import type { Change } from './run-history';

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

export function conclusionLabel(conclusion: string | null | undefined): string {
  if (!conclusion) return 'unknown';
  return CONCLUSIONS.has(conclusion) ? conclusion : 'other';
}

/** The metrics side of the run history: counts each completion it announces, with bounded labels. */
export interface RunCounter {
  /** A ChangeListener: counts what completed with the change and marks the metrics changed. */
  readonly count: (change: Change) => void;
  /** Sets deployments_in_progress from the kept runs (runs not updated since staleBefore count as done). */
  refreshGauges(runs: Iterable<RunRecord>, staleBefore: number): void;
  /** New label limits (deployments.metrics.max_*); values already seen keep their label. */
  configure(cfg: DeploymentsConfig['metrics']): void;
}

interface RunLabels {
  readonly project: string;
  readonly workflow: string;
}

export function createRunCounter(metrics: DeploymentMetrics, initial: DeploymentsConfig['metrics']): RunCounter {
  const projects = createLabelGuard(initial.max_projects);
  const workflows = createLabelGuard(initial.max_workflows_per_project);
  const jobs = createLabelGuard(initial.max_jobs_per_workflow);
  const steps = createLabelGuard(initial.max_steps_per_job);
  const lastRun = new Map<string, number>();
  const gaugeKeys = new Set<string>();

  const runLabels = (run: RunRecord): RunLabels => {
    const project = projects.value('', run.project);
    return { project, workflow: workflows.value(project, run.workflow) };
  };
  const jobLabel = (l: RunLabels, job: string): string => jobs.value(`${l.project}\u0000${l.workflow}`, job);

  const countRun = (run: RunRecord): void => {
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

  const countJob = (run: RunRecord, job: JobRecord): void => {
    const l = runLabels(run);
    const jobName = jobLabel(l, job.name);
    const labels = { ...l, job_name: jobName, conclusion: conclusionLabel(job.conclusion) };
    metrics.jobRuns.inc(labels);
    if (job.duration_seconds !== null) metrics.jobDuration.observe(labels, job.duration_seconds);
    if (job.queue_seconds !== null) metrics.jobQueue.observe({ ...l, job_name: jobName }, job.queue_seconds);
  };

  /** Labels of a job's steps are computed once per job, not once per step. */
  const countSteps = (run: RunRecord, jobName: string, list: readonly StepRecord[]): void => {
    const l = runLabels(run);
    const job_name = jobLabel(l, jobName);
    const scope = `${l.project}\u0000${l.workflow}\u0000${job_name}`;
    for (const step of list) {
      if (step.duration_seconds === null) continue;
      const labels = { ...l, job_name, step: steps.value(scope, step.name), conclusion: conclusionLabel(step.conclusion) };
      metrics.stepDuration.observe(labels, step.duration_seconds);
    }
  };

  return {
    count: (change) => {
      const { run, job } = change;
      if (change.runCompleted) countRun(run);
      if (change.jobCompleted && job) countJob(run, job);
      if (change.completedSteps && change.completedSteps.length > 0 && job) countSteps(run, job.name, change.completedSteps);
      metrics.changed();
    },
    refreshGauges(runs, staleBefore) {
      const counts = new Map<string, RunLabels & { n: number }>();
      for (const run of runs) {
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
    configure(cfg) {
      projects.setMax(cfg.max_projects);
      workflows.setMax(cfg.max_workflows_per_project);
      jobs.setMax(cfg.max_jobs_per_workflow);
      steps.setMax(cfg.max_steps_per_job);
    },
  };
}
