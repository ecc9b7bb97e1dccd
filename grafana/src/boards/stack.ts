/**
 * Stack health: is the monitoring itself working? Vigil's collectors and project cycle, the log
 * shipper, webhook intake, Vigil's process, Prometheus and Alertmanager.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { board, BOARD_UIDS } from '../board';
import { row, statPanel, timelinePanel, timeseriesPanel, upDown } from '../panels';

const RATE = '$__rate_interval';
/** Vigil's own process series: the process_* families of the targets that expose vigil_build_info. */
const VIGIL = (metric: string): string => `${metric} and on (job, instance) vigil_build_info`;

export function stackBoard(): dashboard.DashboardBuilder {
  return board(BOARD_UIDS.stack, 'Vigil / Stack health', 'Is the monitoring working: Vigil\'s collectors, project checks, log shipper and webhooks; Prometheus and Alertmanager.')
    .withRow(row('Overview'))
    .withPanel(statPanel('Targets down', 'short', ['count(up == 0) or vector(0)'], { description: 'Scrape targets Prometheus cannot reach.', thresholds: [[1, 'red']] }))
    .withPanel(statPanel('Collectors failing', 'short', ['count(vigil_collector_success == 0) or vector(0)'], { description: 'Host collectors whose last run failed, all hosts.', thresholds: [[1, 'red']] }))
    .withPanel(statPanel('Shipper backlog age', 's', ['max(vigil_shipper_oldest_unacked_age_seconds)'], { description: 'Age of the oldest log record not yet accepted by Elasticsearch (0 when all are).', thresholds: [[300, 'orange'], [1800, 'red']] }))
    .withPanel(statPanel('Dead letters', 'short', ['sum(increase(vigil_shipper_records_total{result="dead_lettered"}[$__range]))'], { description: 'Log records Elasticsearch refused for good in the range (kept in data/dead-letter/).', decimals: 0, thresholds: [[1, 'red']] }))
    .withPanel(statPanel('Config reload', 'none', ['min(vigil_config_last_reload_successful)'], { description: 'Whether the last configuration reload of every Vigil succeeded.', base: 'red', thresholds: [[1, 'green']], mappings: upDown('ok', 'failed') }))
    .withPanel(statPanel('Firing alerts', 'short', ['count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)'], { description: 'Alerts firing now, the always-firing Watchdog left out.', thresholds: [[1, 'orange']] }))
    .withRow(row('Vigil'))
    .withPanel(timelinePanel('Scrape targets', 'none', [{ expr: 'up', legend: '{{job}} {{instance}}' }], { description: 'Every scrape target, up or down.', mappings: upDown('up', 'down'), h: 6 }))
    .withPanel(timeseriesPanel('Collector duration', 's', [{ expr: 'vigil_collector_duration_seconds', legend: '{{instance}} {{collector}}' }], { description: 'How long each host collector took at the last scrape.', min: 0 }))
    .withPanel(timeseriesPanel('Project check cycle', 's', [{ expr: 'vigil_projects_last_cycle_duration_seconds', legend: '{{instance}} every {{interval}}' }], { description: 'How long the last cycle of project checks took; near its interval, checks fall behind.', min: 0 }))
    .withPanel(timeseriesPanel('Vigil CPU', 'percentunit', [{ expr: VIGIL(`rate(process_cpu_seconds_total[${RATE}])`), legend: '{{instance}}' }], { description: 'CPU used by each Vigil process, as a share of one core.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Vigil memory', 'bytes', [{ expr: VIGIL('process_resident_memory_bytes'), legend: '{{instance}} resident' }, { expr: VIGIL('nodejs_heap_size_used_bytes'), legend: '{{instance}} heap used' }], { description: 'Resident memory and V8 heap of each Vigil process.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Event loop lag', 's', [{ expr: 'nodejs_eventloop_lag_p99_seconds', legend: '{{instance}} p99' }], { description: 'How late Vigil\'s event loop runs; high lag delays checks and scrapes.', min: 0, w: 8 }))
    .withRow(row('Log shipper'))
    .withPanel(timeseriesPanel('Records by result', 'ops', [{ expr: `sum by (result) (rate(vigil_shipper_records_total[${RATE}]))`, legend: '{{result}}' }], { description: 'Log records per second: acked by Elasticsearch, retried, dead-lettered, dropped.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Spool', 'bytes', [{ expr: 'vigil_shipper_spool_bytes', legend: '{{instance}}' }], { description: 'Bytes waiting on disk for Elasticsearch.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Backlog age', 's', [{ expr: 'vigil_shipper_oldest_unacked_age_seconds', legend: '{{instance}}' }], { description: 'Age of the oldest record not yet accepted; growing means Elasticsearch is down or refusing.', min: 0, w: 8 }))
    .withRow(row('Webhooks'))
    .withPanel(timeseriesPanel('Webhook requests by result', 'reqps', [{ expr: `sum by (source, result) (rate(vigil_webhook_requests_total[${RATE}]))`, legend: '{{source}} {{result}}' }], { description: 'GitHub webhooks and events-API calls per second by result; unauthorized or invalid ones mean a wrong secret or a broken sender.', min: 0 }))
    .withPanel(timeseriesPanel('Live stream clients', 'short', [{ expr: 'vigil_deployments_stream_clients', legend: '{{instance}}' }, { expr: `rate(vigil_deployments_stream_dropped_clients_total[${RATE}])`, legend: '{{instance}} dropped per second' }], { description: 'Clients of the deployments live stream, and those dropped for reading too slowly.', min: 0 }))
    .withRow(row('Prometheus and Alertmanager'))
    .withPanel(timeseriesPanel('Rule evaluation', 's', [{ expr: 'max by (rule_group) (prometheus_rule_group_last_duration_seconds)', legend: '{{rule_group}}' }], { description: 'How long each rule group took at its last evaluation.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Rule failures', 'ops', [{ expr: `sum(rate(prometheus_rule_evaluation_failures_total[${RATE}]))`, legend: 'failures' }, { expr: `sum(rate(prometheus_rule_group_iterations_missed_total[${RATE}]))`, legend: 'missed iterations' }], { description: 'Rule evaluations that failed or were skipped, per second; should stay at 0.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Head series', 'short', [{ expr: 'prometheus_tsdb_head_series', legend: 'series' }], { description: 'Series in Prometheus\'s head block; a jump means a new label with many values.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Alerts to Alertmanager', 'ops', [{ expr: `sum(rate(prometheus_notifications_sent_total[${RATE}]))`, legend: 'sent' }, { expr: `sum(rate(prometheus_notifications_errors_total[${RATE}]))`, legend: 'errors' }, { expr: `sum(rate(prometheus_notifications_dropped_total[${RATE}]))`, legend: 'dropped' }], { description: 'Alerts Prometheus sent to Alertmanager per second, and those it could not send.', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Alertmanager notifications', 'ops', [{ expr: `sum by (integration) (rate(alertmanager_notifications_total[${RATE}]))`, legend: '{{integration}} sent' }, { expr: `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE}]))`, legend: '{{integration}} failed' }], { description: 'Notifications Alertmanager attempted and failed, per integration (webhook to the relay, email).', min: 0, w: 8 }))
    .withPanel(timeseriesPanel('Alerts in Alertmanager', 'short', [{ expr: 'sum by (state) (alertmanager_alerts)', legend: '{{state}}' }], { description: 'Alerts Alertmanager holds: active, suppressed (silenced or inhibited).', min: 0, w: 8 }));
}
