/**
 * Deployments: runs and their success ratio, durations, the job and step breakdown, queue time,
 * runs in progress, the DORA keys, and recent failures from the metrics and from the logs.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as elasticsearch from '@grafana/grafana-foundation-sdk/elasticsearch';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { board, BOARD_UIDS, logsVariable, queryVariable } from '../board';
import { LOGS, LOGS_INDEX } from '../datasources';
import { barsPanel, PER_PROJECT_POINTS, row, statPanel, tablePanel, timeseriesPanel } from '../panels';

/** Sel: the board's project and workflow. */
const S = 'project=~"$project",workflow=~"$workflow"';
const RUNS = 'deployment_workflow_runs_total';
const RATE = '$__rate_interval';
const FAILED = 'conclusion=~"failure|timed_out|startup_failure"';

function ratio(num: string, den: string): string {
  return `(${num}) / (${den})`;
}

/**
 * The median over a window from the stack's sparse histogram rules (prometheus/rules/deployments.yml:
 * every bucket's 10-minute increase, only after completions): summed over the window, each bucket
 * is scaled alike, so the quantile is that of the runs completed in it, and a week reads a few
 * samples a run instead of every sample of every bucket.
 */
function median(rule: string, by: string, window: string): string {
  return `histogram_quantile(0.5, sum by (le${by ? `, ${by}` : ''}) (sum_over_time(${rule}{${S}}[${window}])))`;
}

const RUN_BUCKETS = 'project_workflow_le:deployment_workflow_run_duration_seconds_bucket:increase10m';
const JOB_BUCKETS = 'project_workflow_job_name_le:deployment_job_duration_seconds_bucket:increase10m';
const QUEUE_BUCKETS = 'project_workflow_le:deployment_job_queue_seconds_bucket:increase10m';
/** The same sparse rules for runs, job runs and duration sums and counts: ratios and means only. */
const RUNS_10M = 'project_workflow_conclusion:deployment_workflow_runs:increase10m';
const JOB_RUNS_10M = 'project_workflow_job_name_conclusion:deployment_job_runs:increase10m';
const JOB_SUM_10M = 'project_workflow_job_name:deployment_job_duration_seconds_sum:increase10m';
const JOB_COUNT_10M = 'project_workflow_job_name:deployment_job_duration_seconds_count:increase10m';
const STEP_SUM_10M = 'project_workflow_job_name_step:deployment_step_duration_seconds_sum:increase10m';
const STEP_COUNT_10M = 'project_workflow_job_name_step:deployment_step_duration_seconds_count:increase10m';

/** `sum by (by) (sum_over_time(rule{S,extra}[window]))`: a sparse rule summed over a window. */
function over(rule: string, by: string, window: string, extra = ''): string {
  return `sum${by ? ` by (${by})` : ''} (sum_over_time(${rule}{${S}${extra ? `,${extra}` : ''}}[${window}]))`;
}
const JOB = 'project, workflow, job_name';

/** The Elasticsearch logs panel: failed deployment events from logs-vigil.deployments-*. */
function failureLogs(): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title('Recent failures in the logs')
    .description(`Failed runs, jobs and steps as Vigil logged them (${LOGS_INDEX}, event.outcome failure), newest first, with the pipeline's own error lines. Read from Elasticsearch, not Prometheus.`)
    .datasource(LOGS)
    .unit('none')
    .span(24)
    .height(10)
    .withTarget(
      new elasticsearch.DataqueryBuilder()
        .datasource(LOGS)
        .refId('A')
        .query('event.dataset:"vigil.deployments" AND (event.outcome:"failure" OR log.level:"error")')
        .timeField('@timestamp')
        .metrics([new elasticsearch.LogsBuilder().id('1').settings({ limit: '100' })]),
    )
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending);
}

export function deploymentsBoard(): dashboard.DashboardBuilder {
  return board(BOARD_UIDS.deployments, 'Vigil / Deployments', 'Deployment runs from GitHub Actions and the events API: success, durations, jobs, steps, queue time, DORA keys and failures.', 'project=~"$project"')
    .withVariable(logsVariable())
    .withVariable(queryVariable('project', 'Project', `label_values(${RUNS}, project)`, { all: true }))
    .withVariable(queryVariable('workflow', 'Workflow', `label_values(${RUNS}{project=~"$project"}, workflow)`, { all: true }))
    .withRow(row('Overview'))
    .withPanel(statPanel('Runs', 'short', [`sum(increase(${RUNS}{${S}}[$__range]))`], { description: 'Completed runs in the range.', decimals: 0 }))
    .withPanel(statPanel('Success ratio', 'percentunit', [ratio(over(RUNS_10M, '', '$__range', 'conclusion="success"'), over(RUNS_10M, '', '$__range'))], { description: 'Successful runs over all completed runs in the range.', decimals: 1, base: 'red', thresholds: [[0.8, 'orange'], [0.95, 'green']] }))
    .withPanel(statPanel('Failed runs', 'short', [`sum(increase(${RUNS}{${S},${FAILED}}[$__range])) or vector(0)`], { description: 'Runs that failed, timed out or could not start, in the range.', decimals: 0, thresholds: [[1, 'red']] }))
    .withPanel(statPanel('In progress', 'short', [`sum(deployments_in_progress{${S}})`], { description: 'Runs started and not finished now.', decimals: 0 }))
    .withPanel(statPanel('Median run duration', 's', [median(RUN_BUCKETS, '', '$__range')], { description: 'Median duration of the runs completed in the range (from the histogram buckets).' }))
    .withPanel(statPanel('Median queue time', 's', [median(QUEUE_BUCKETS, '', '$__range')], { description: 'Median time jobs waited for a runner in the range. Only when GitHub workflow_job webhooks arrive (the events API has no queue time).' }))
    .withRow(row('Runs'))
    .withPanel(timeseriesPanel('Runs by conclusion', 'short', [{ expr: `sum by (conclusion) (increase(${RUNS}{${S}}[${RATE}]))`, legend: '{{conclusion}}' }], { description: 'Completed runs over time by conclusion.', bars: true, stack: true, min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Success ratio by project', 'percentunit', [{ expr: ratio(over(RUNS_10M, 'project', RATE, 'conclusion="success"'), over(RUNS_10M, 'project', RATE)), legend: '{{project}}' }], { description: 'Successful over completed runs per project, at the points where runs completed (no line between runs). Only when runs completed in the range.', min: 0, max: 1, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Run duration', 's', [
      { expr: `project_workflow:deployment_workflow_run_duration_seconds:avg1h{${S}}`, legend: '{{project}} {{workflow}} last hour' },
      { expr: `project_workflow:deployment_workflow_run_duration_seconds:avg7d{${S}} and on (project, workflow) project_workflow:deployment_workflow_run_duration_seconds:avg1h{${S}}`, legend: '{{project}} {{workflow}} last 7 days' },
    ], { description: 'Mean duration of successful runs over the last hour at each point, beside the 7-day mean at the same points: a run much slower than usual stands out. Only when runs succeeded in the range.', min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Queue time', 's', [{ expr: `project_workflow:deployment_job_queue_seconds:p90_1h{${S}}`, legend: '{{project}} {{workflow}} p90' }], { description: '90th percentile of the time jobs waited for a runner, over the last hour at each point. Only when GitHub workflow_job webhooks arrive (the events API has no queue time).', min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('In progress', 'short', [{ expr: `sum by (project, workflow) (max_over_time(deployments_in_progress{${S}}[$__interval])) > 0`, legend: '{{project}} {{workflow}}' }], { description: 'Runs started and not finished (the most in each interval); a run stuck here for hours lost its completion. Only when runs were in progress in the range.', min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Job duration', 's', [{ expr: median(JOB_BUCKETS, 'job_name', RATE), legend: '{{job_name}}' }], { description: 'Median duration of the jobs completed around each point, per job. Only when jobs completed in the range.', min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withRow(row('Jobs and steps'))
    .withPanel(tablePanel('Jobs', 'short', [
      { title: 'Runs', unit: 'short', expr: `sum by (project, workflow, job_name) (increase(deployment_job_runs_total{${S}}[$__range]))`, decimals: 0 },
      { title: 'Failure ratio', unit: 'percentunit', expr: ratio(`${over(JOB_RUNS_10M, JOB, '$__range', FAILED)} or ${over(JOB_RUNS_10M, JOB, '$__range')} * 0`, over(JOB_RUNS_10M, JOB, '$__range')), thresholds: [[0.05, 'orange'], [0.2, 'red']] },
      { title: 'Mean duration', unit: 's', expr: ratio(over(JOB_SUM_10M, JOB, '$__range'), over(JOB_COUNT_10M, JOB, '$__range')) },
    ], [], { description: 'Every job in the range: how often it ran, how often it failed, how long it took.', w: 12 }))
    .withPanel(tablePanel('Slowest steps', 's', [
      { title: 'Mean duration', unit: 's', expr: `topk(15, ${ratio(over(STEP_SUM_10M, 'project, job_name, step', '$__range'), over(STEP_COUNT_10M, 'project, job_name, step', '$__range'))})` },
    ], [], { description: 'The 15 steps with the longest mean duration in the range.', w: 12 }))
    .withPanel(tablePanel('Failed steps', 'short', [
      { title: 'Failures', unit: 'short', expr: `sum by (project, job_name, step) (increase(deployment_step_duration_seconds_count{${S},${FAILED}}[$__range])) > 0`, decimals: 0 },
    ], [], { description: 'Steps that failed in the range, how many times. Only when a step failed in the range.', w: 12 }))
    .withPanel(tablePanel('Failed runs', 'short', [
      { title: 'Failures', unit: 'short', expr: `sum by (project, workflow) (increase(${RUNS}{${S},${FAILED}}[$__range])) > 0`, decimals: 0 },
      { title: 'Last failure', unit: 'dateTimeAsIso', expr: `max by (project, workflow) (deployment_last_run_timestamp_seconds{${S},${FAILED}}) * 1000` },
    ], [], { description: 'Workflows with failed runs in the range and when the last one ended. Only when a run failed in the range.', w: 12 }))
    .withRow(row('DORA keys, last 7 days'))
    .withPanel(barsPanel('Deployment frequency', 'short', [{ expr: `project:deployments_succeeded:increase7d{project=~"$project"} / 7`, legend: '{{project}}' }], { description: 'Successful deployments per day over the last 7 days (deployments_total: GitHub deployment statuses and events-API deployments; prometheus/README.md says how each key is computed).', w: 6, decimals: 1 }))
    .withPanel(barsPanel('Lead time for changes', 's', [{ expr: `project:deployment_lead_time_seconds:p50_7d{project=~"$project"}`, legend: '{{project}}' }], { description: 'Median time from commit (or pipeline start) to a successful run, last 7 days.', w: 6 }))
    .withPanel(barsPanel('Change failure rate', 'percentunit', [{ expr: `project:deployments_failed:ratio7d{project=~"$project"}`, legend: '{{project}}' }], { description: 'Failed over all finished deployments, last 7 days.', w: 6, decimals: 1, thresholds: [[0.15, 'orange'], [0.3, 'red']] }))
    .withPanel(barsPanel('Time to restore', 's', [{ expr: `project:time_to_restore_seconds:avg7d{project=~"$project"}`, legend: '{{project}}' }], { description: 'Mean length of a project outage, last 7 days. Only when a project went down in the last 7 days.', w: 6 }))
    .withRow(row('Failures in the logs'))
    .withPanel(failureLogs());
}
