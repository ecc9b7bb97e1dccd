import type { Logger } from '../../core/logger';
import { DATASET } from './dataset';
import type { Change } from './run-history';

/**
 * One ECS record per accepted event, dataset vigil.deployments: the run ids, SHAs, URLs and actors
 * that must never be metric labels are searchable here (the log shipper sends them on). A job's
 * completion also logs each of its steps that did not succeed, as a `step_completed` record like
 * the events API's, so failed GitHub steps are found by `deployment.step` too.
 */
export function logChange(logger: Logger, change: Change, source: 'github' | 'api'): void {
  logOne(logger, change, source);
  if (!change.failedSteps) return;
  for (const step of change.failedSteps) logOne(logger, { action: 'step_completed', run: change.run, ...(change.job ? { job: change.job } : {}), step }, source);
}

function logOne(logger: Logger, change: Change, source: 'github' | 'api'): void {
  const { run, job, step, log } = change;
  const item = step ?? job ?? run;
  const duration = item.duration_seconds;
  const deployment = {
    source,
    id: run.id,
    kind: run.kind,
    project: run.project,
    workflow: run.workflow,
    run_id: run.run_id,
    run_attempt: run.run_attempt,
    environment: run.environment ?? undefined,
    job: job?.name ?? log?.job ?? undefined,
    job_id: job?.id,
    step: step?.name ?? log?.step ?? undefined,
    status: item.status,
    conclusion: item.conclusion ?? undefined,
    duration_seconds: duration ?? undefined,
    queue_seconds: step ? undefined : (job?.queue_seconds ?? undefined),
    branch: run.branch ?? undefined,
    commit: run.commit ?? undefined,
    steps_total: step ? undefined : job?.steps.length,
    log_level: log?.level,
  };
  const meta: Record<string, unknown> = {
    event: {
      dataset: DATASET,
      action: change.action,
      kind: 'event',
      ...(item.conclusion ? { outcome: ecsOutcome(item.conclusion) } : {}),
      ...(duration !== null ? { duration: Math.round(duration * 1e9) } : {}),
    },
    deployment,
  };
  if (run.actor) meta.user = { name: run.actor };
  const url = job?.html_url ?? run.html_url;
  if (url) meta.url = { full: url };
  if (log) {
    const level = log.level === 'error' || log.level === 'critical' || log.level === 'fatal' ? 'error' : log.level === 'warn' || log.level === 'warning' ? 'warn' : 'info';
    logger.log(level, log.message, meta);
    return;
  }
  const what = [run.project, run.workflow, job?.name, step?.name].filter(Boolean).join(' / ');
  logger.info(`${change.action}: ${what}${item.conclusion ? ` (${item.conclusion})` : ''}`, meta);
}

const FAILED = new Set(['failure', 'timed_out', 'startup_failure']);

/** ECS event.outcome for a GitHub or pipeline conclusion: a timeout is a failure, a cancel is not known to be. */
export function ecsOutcome(conclusion: string): 'success' | 'failure' | 'unknown' {
  if (conclusion === 'success') return 'success';
  return FAILED.has(conclusion) ? 'failure' : 'unknown';
}
