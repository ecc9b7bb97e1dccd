/** The history of a deployment run as the portal reads it and the journal stores it. */

export type RunStatus = 'unknown' | 'queued' | 'in_progress' | 'completed';
export type ItemStatus = 'queued' | 'in_progress' | 'completed';

export interface StepRecord {
  name: string;
  number: number | null;
  status: ItemStatus;
  conclusion: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
}

export interface JobRecord {
  id: string;
  name: string;
  status: ItemStatus;
  conclusion: string | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  queue_seconds: number | null;
  runner: string | null;
  html_url: string | null;
  steps: StepRecord[];
}

export interface LogLine {
  timestamp: string;
  level: string;
  message: string;
  job: string | null;
  step: string | null;
}

export interface RunRecord {
  /** "gh-<run id>-<attempt>", "ghd-<deployment id>" or "<project>:<deployment_id>". */
  id: string;
  source: 'github' | 'api';
  kind: 'workflow_run' | 'deployment' | 'pipeline';
  project: string;
  workflow: string;
  run_id: string;
  run_attempt: number;
  environment: string | null;
  /** "unknown" until a run-level event arrives (jobs may come first). */
  status: RunStatus;
  conclusion: string | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  branch: string | null;
  commit: string | null;
  commit_timestamp: string | null;
  actor: string | null;
  html_url: string | null;
  jobs: JobRecord[];
  logs: LogLine[];
  /** Wall-clock time of the last change. */
  updated_at: string;
}

/** GitHub's statuses in the order a run or job goes through them. */
export function statusRank(status: RunStatus | ItemStatus): number {
  switch (status) {
    case 'unknown':
      return -1;
    case 'queued':
      return 0;
    case 'in_progress':
      return 1;
    case 'completed':
      return 2;
  }
}

/** Seconds between two ISO timestamps, or null when either is missing, invalid or the span is negative. */
export function secondsBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const d = (Date.parse(to) - Date.parse(from)) / 1000;
  return Number.isFinite(d) && d >= 0 ? d : null;
}

/** A run without its jobs and logs, for lists and the live stream. */
export function runSummary(run: RunRecord): Omit<RunRecord, 'jobs' | 'logs'> & { jobs_total: number } {
  const { jobs, logs: _logs, ...rest } = run;
  return { ...rest, jobs_total: jobs.length };
}

/** A copy of a run for readers outside the history (the API, the portal), which cannot change the kept one. */
export function publicRun(run: RunRecord): RunRecord {
  return { ...run, jobs: run.jobs.map((job) => ({ ...job, steps: job.steps.map((step) => ({ ...step })) })), logs: run.logs.slice() };
}
