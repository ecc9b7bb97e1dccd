/**
 * Projects: the status of every project Vigil checks (up, response time, TLS, processes), its
 * availability over the range, response time by phase and its state changes; `project` variable.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { board, BOARD_UIDS, queryVariable } from '../board';
import { barsPanel, PER_PROJECT_POINTS, row, statPanel, tablePanel, timelinePanel, timeseriesPanel, upDown } from '../panels';

const P = 'project=~"$project"';
const RATE = '$__rate_interval';
const DAY = 86400;

export function projectsBoard(): dashboard.DashboardBuilder {
  return board(BOARD_UIDS.projects, 'Vigil / Projects', 'Every checked project: up or down, response time, TLS certificates, processes and state changes.', P)
    .withVariable(queryVariable('project', 'Project', 'label_values(project_info, project)', { all: true }))
    .withRow(row('Status'))
    .withPanel(statPanel('Projects up', 'short', [`count(project_up{${P}} == 1) or vector(0)`], { description: 'Projects whose every check passes.', w: 6 }))
    .withPanel(statPanel('Projects down', 'short', [`count(project_up{${P}} == 0) or vector(0)`], { description: 'Projects with a failing check (after retries).', w: 6, thresholds: [[1, 'red']] }))
    .withPanel(statPanel('Availability', 'percentunit', [`avg(avg_over_time(project_up{${P}}[$__range]))`], { description: 'Share of the range the selected projects were up, averaged over projects.', w: 6, decimals: 2, base: 'red', thresholds: [[0.99, 'orange'], [0.999, 'green']] }))
    .withPanel(statPanel('Slowest response', 's', [`max(sum by (project) (project_http_phase_duration_seconds{${P}}))`], { description: 'The longest HTTP response time (all phases) among the selected projects at the last check.', w: 6, thresholds: [[1, 'orange'], [3, 'red']] }))
    .withPanel(tablePanel('Project status', 'none', [
      { title: 'Up', unit: 'none', expr: `project_up{${P}}`, mappings: upDown('up', 'down') },
      { title: 'HTTP status', unit: 'none', expr: `project_http_status_code{${P}}` },
      { title: 'Response time', unit: 's', expr: `sum by (project) (project_http_phase_duration_seconds{${P}})`, thresholds: [[1, 'orange'], [3, 'red']] },
      { title: 'Availability', unit: 'percentunit', expr: `avg_over_time(project_up{${P}}[$__range])`, decimals: 2, base: 'red', thresholds: [[0.99, 'orange'], [0.999, 'green']] },
      { title: 'TLS certificate expires in', unit: 's', expr: `project:project_tls_cert_expiry:seconds{${P}}`, base: 'red', thresholds: [[3 * DAY, 'orange'], [14 * DAY, 'green']] },
      { title: 'Processes', unit: 'short', expr: `project_processes{${P}}`, base: 'red', thresholds: [[1, 'green']] },
      { title: 'Last check', unit: 's', expr: `time() - project_last_check_timestamp_seconds{${P}}` },
    ], ['__name__', 'instance', 'job'], { description: 'One row per project at the last check; empty cells are checks the project does not have (no HTTPS, no process check).', h: 9 }))
    .withRow(row('Availability'))
    .withPanel(barsPanel('Availability over the range', 'percentunit', [{ expr: `avg_over_time(project_up{${P}}[$__range])`, legend: '{{project}}' }], { description: 'Share of the range each project was up.', min: 0, max: 1, decimals: 2, base: 'red', thresholds: [[0.99, 'orange'], [0.999, 'green']] }))
    .withPanel(barsPanel('State changes over the range', 'short', [{ expr: `increase(project_state_changes_total{${P}}[$__range])`, legend: '{{project}}' }], { description: 'How often each project went down or came back; many changes mean flapping.', decimals: 0, thresholds: [[2, 'orange'], [6, 'red']] }))
    .withPanel(timelinePanel('Up and down', 'none', [{ expr: `min_over_time(project_up{${P}}[$__interval])`, legend: '{{project}}' }], { description: 'Each project\'s state over time: down when any check run of the interval failed.', mappings: upDown('up', 'down'), maxDataPoints: PER_PROJECT_POINTS }))
    .withRow(row('Response time'))
    .withPanel(timeseriesPanel('Response time by phase', 's', [{ expr: `avg by (phase) (project_http_phase_duration_seconds{${P}})`, legend: '{{phase}}' }], { description: 'DNS, connect, TLS, processing (time to first byte) and transfer of the HTTP checks, averaged over the selected projects (pick one project to see its own); the stack is the total. Which project is slow: Check duration.', stack: true, min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Check duration', 's', [{ expr: `topk(10, project_check_duration_seconds{${P}})`, legend: '{{project}} {{check}}' }], { description: 'The 10 slowest checks at each point, every kind (HTTP, TCP, process): with many projects, those worth a look.', min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Failing checks', 'none', [{ expr: `min_over_time(project_check:project_check_success:failing{${P}}[$__interval])`, legend: '{{project}} {{check}}' }], { description: 'Checks that failed a run in the interval (the stack\'s rule project_check:project_check_success:failing, present only while a check fails). Only when a check fails.', min: 0, max: 1, mappings: upDown('ok', 'failing') }))
    .withPanel(timeseriesPanel('State changes', 'short', [{ expr: `max_over_time(project:project_state_changes:increase5m{${P}}[$__interval])`, legend: '{{project}}' }], { description: 'Changes between up and down over time: the most within 5 minutes in each interval (the stack\'s rule project:project_state_changes:increase5m, present only after a change). Only when a project went down or came back in the range.', bars: true, min: 0 }))
    .withRow(row('TLS and processes'))
    .withPanel(barsPanel('TLS certificate expires in', 's', [{ expr: `sort(project:project_tls_cert_expiry:seconds{${P}})`, legend: '{{project}}' }], { description: 'Time left now on each HTTPS project\'s leaf certificate, soonest first; red under 3 days, orange under 14.', w: 8, base: 'red', thresholds: [[3 * DAY, 'orange'], [14 * DAY, 'green']] }))
    .withPanel(timeseriesPanel('Process CPU', 'percentunit', [{ expr: `rate(project_process_cpu_seconds_total{${P}}[${RATE}])`, legend: '{{project}}' }], { description: 'CPU of each project\'s checked process, as a share of one core.', w: 8, min: 0, maxDataPoints: PER_PROJECT_POINTS }))
    .withPanel(timeseriesPanel('Process memory', 'bytes', [{ expr: `project_process_resident_memory_bytes{${P}}`, legend: '{{project}}' }], { description: 'Resident memory of each project\'s checked process.', w: 8, min: 0, maxDataPoints: PER_PROJECT_POINTS }));
}
