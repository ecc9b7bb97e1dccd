/**
 * A week of synthetic history in OpenMetrics, for `promtool tsdb create-blocks-from openmetrics`:
 * 20 hosts (node_exporter names), 100 projects (project_*), and about 30 deployments a week per
 * project (deployment_* counters and histograms with Vigil's default buckets), with the target
 * labels prometheus/prometheus.yml gives them. Every value is a function of time, so the file
 * can be written one window at a time (promtool reads a whole file once per 2 h block).
 */

export interface HistoryShape {
  readonly hosts: number;
  readonly projects: number;
  /** Deployments per project in the week. */
  readonly deploysPerProject: number;
  /** Seconds between samples of host and project series. */
  readonly step: number;
  /** Seconds between samples of deployment series (they change a few times a day). */
  readonly deployStep: number;
}

export const DEFAULT_SHAPE: HistoryShape = { hosts: 20, projects: 100, deploysPerProject: 30, step: 120, deployStep: 300 };

const WEEK = 7 * 86400;
type Value = (t: number) => number;
interface Series {
  readonly text: string;
  readonly value: Value;
  readonly step: number;
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

const wave = (t: number, phase: number): number => Math.sin((2 * Math.PI * t) / 86400 + phase);

function hostSeries(i: number, t0: number, step: number): Series[] {
  const host = `h${String(i + 1).padStart(2, '0')}`;
  const base = { host, instance: `${host}:9470`, job: 'hosts' };
  const s = (name: string, extra: Record<string, string>, value: Value): Series => ({ text: `${name}${labels({ ...extra, ...base })}`, value, step });
  const since = (t: number): number => t - t0 + 1e6;
  const out: Series[] = [s('node_uname_info', { nodename: `${host}.example.com`, sysname: 'Linux', release: '6.1.0', machine: 'x86_64' }, () => 1)];
  const modes: [string, number][] = [['user', 0.1 + 0.02 * (i % 5)], ['system', 0.03], ['iowait', 0.01], ['steal', 0.002], ['idle', 0.8]];
  for (const cpu of ['0', '1', '2', '3']) for (const [mode, share] of modes) out.push(s('node_cpu_seconds_total', { cpu, mode }, (t) => share * since(t)));
  const total = 8 * 2 ** 30;
  out.push(s('node_memory_MemTotal_bytes', {}, () => total));
  out.push(s('node_memory_MemAvailable_bytes', {}, (t) => total * (0.5 + 0.2 * wave(t, i))));
  out.push(s('node_memory_MemFree_bytes', {}, (t) => total * (0.2 + 0.1 * wave(t, i))));
  out.push(s('node_memory_Cached_bytes', {}, () => total * 0.25));
  out.push(s('node_memory_Buffers_bytes', {}, () => total * 0.02));
  out.push(s('node_memory_SwapTotal_bytes', {}, () => 2 ** 31));
  out.push(s('node_memory_SwapFree_bytes', {}, () => 2 ** 31 * 0.9));
  const fs: [string, string, number, number][] = [['/', 'vda1', 100e9, i === 4 ? 0.3 : 0.02], ['/data', 'vdb', 500e9, 0.01]];
  for (const [mountpoint, dev, size, fillPerDay] of fs) {
    const l = { device: `/dev/${dev}`, fstype: 'ext4', mountpoint };
    out.push(s('node_filesystem_size_bytes', l, () => size));
    out.push(s('node_filesystem_avail_bytes', l, (t) => Math.max(0, size * (0.7 - (fillPerDay * (t - t0)) / 86400 / 7))));
    out.push(s('node_filesystem_files', l, () => 6.5e6));
    out.push(s('node_filesystem_files_free', l, () => 6e6));
    out.push(s('node_filesystem_readonly', l, () => 0));
  }
  for (const [name, rate] of [['node_disk_read_bytes_total', 2e5], ['node_disk_written_bytes_total', 8e5], ['node_disk_io_time_seconds_total', 0.05]] as const) out.push(s(name, { device: 'vda' }, (t) => rate * since(t)));
  for (const [name, rate] of [['receive_bytes', 5e5], ['transmit_bytes', 3e5], ['receive_packets', 800], ['transmit_packets', 600], ['receive_errs', 0.001], ['transmit_errs', 0], ['receive_drop', 0.01], ['transmit_drop', 0]] as const) {
    out.push(s(`node_network_${name}_total`, { device: 'eth0' }, (t) => Math.floor(rate * since(t))));
  }
  out.push(s('node_load1', {}, (t) => 0.8 + 0.5 * wave(t, i)), s('node_load5', {}, (t) => 0.8 + 0.4 * wave(t, i)), s('node_load15', {}, (t) => 0.8 + 0.3 * wave(t, i)));
  out.push(s('node_procs_running', {}, () => 2), s('node_procs_blocked', {}, () => 0));
  out.push(s('node_forks_total', {}, (t) => Math.floor(3 * since(t))), s('node_context_switches_total', {}, (t) => Math.floor(2000 * since(t))), s('node_intr_total', {}, (t) => Math.floor(1500 * since(t))));
  out.push(s('node_boot_time_seconds', {}, () => t0 - 86400 * 30), s('node_time_seconds', {}, (t) => t + 0.01));
  for (const collector of ['cpu', 'filesystem', 'meminfo']) out.push(s('vigil_collector_success', { collector }, () => 1), s('vigil_collector_duration_seconds', { collector }, () => 0.002));
  return out;
}

function projectSeries(i: number, t0: number, step: number): Series[] {
  const project = `p${String(i + 1).padStart(3, '0')}`;
  const base = { host: 'local', instance: 'vigil:9470', job: 'vigil' };
  const s = (name: string, extra: Record<string, string>, value: Value): Series => ({ text: `${name}${labels({ project, ...extra, ...base })}`, value, step });
  // one outage of 10 minutes every other day for every tenth project
  const down = (t: number): boolean => i % 10 === 0 && ((t - t0) % (2 * 86400)) < 600;
  const outages = (t: number): number => (i % 10 === 0 ? 2 * Math.floor((t - t0 + 2 * 86400 - 600) / (2 * 86400)) : 0);
  const out = [
    s('project_info', { team: 'web' }, () => 1),
    s('project_up', {}, (t) => (down(t) ? 0 : 1)),
    s('project_check_success', { check: 'http' }, (t) => (down(t) ? 0 : 1)),
    s('project_check_duration_seconds', { check: 'http' }, (t) => 0.12 + 0.05 * wave(t, i)),
    s('project_http_status_code', {}, (t) => (down(t) ? 502 : 200)),
    s('project_tls_cert_expiry_timestamp_seconds', {}, () => t0 + (20 + (i % 60)) * 86400),
    s('project_processes', {}, () => 2),
    s('project_process_cpu_seconds_total', {}, (t) => 0.02 * (t - t0)),
    s('project_process_resident_memory_bytes', {}, () => 2e8),
    s('project_last_check_timestamp_seconds', {}, (t) => t - 5),
    s('project_state_changes_total', {}, outages),
  ];
  for (const [phase, d] of [['dns', 0.002], ['connect', 0.004], ['tls', 0.02], ['processing', 0.08], ['transfer', 0.01]] as const) out.push(s('project_http_phase_duration_seconds', { phase }, (t) => d * (1 + 0.3 * wave(t, i))));
  return out;
}

const RUN_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600];
const JOB_BUCKETS = [5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600];
const STEP_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const LEAD_BUCKETS = [300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800];

/** A histogram observed `count(t)` times with the same value `v`: its bucket, sum and count series. */
function histogram(name: string, l: Record<string, string>, buckets: readonly number[], v: number, count: Value, step: number): Series[] {
  const out: Series[] = buckets.map((le) => ({ text: `${name}_bucket${labels({ ...l, le: String(le) })}`, value: (t: number) => (v <= le ? count(t) : 0), step }));
  out.push({ text: `${name}_bucket${labels({ ...l, le: '+Inf' })}`, value: count, step });
  out.push({ text: `${name}_sum${labels(l)}`, value: (t) => v * count(t), step }, { text: `${name}_count${labels(l)}`, value: count, step });
  return out;
}

function deploymentSeries(i: number, t0: number, shape: HistoryShape): Series[] {
  const project = `p${String(i + 1).padStart(3, '0')}`;
  const base = { project, workflow: 'deploy', host: 'local', instance: 'vigil:9470', job: 'vigil' };
  const step = shape.deployStep;
  const period = WEEK / shape.deploysPerProject;
  const offset = (i * 997) % period;
  const runs = (t: number): number => Math.max(0, Math.floor((t - t0 - offset) / period) + 1);
  const failed = (t: number): number => Math.floor((runs(t) + 5) / 6); // every sixth run fails
  const ok = (t: number): number => runs(t) - failed(t);
  const duration = 240 + (i % 7) * 30;
  const l = (extra: Record<string, string>): Record<string, string> => ({ ...base, ...extra });
  const c = (name: string, extra: Record<string, string>, value: Value): Series => ({ text: `${name}${labels(l(extra))}`, value, step });
  const lastRun = (n: Value): Value => (t) => t0 + offset + (n(t) - 1) * period + duration;
  return [
    c('deployment_workflow_runs_total', { conclusion: 'success' }, ok),
    c('deployment_workflow_runs_total', { conclusion: 'failure' }, failed),
    ...histogram('deployment_workflow_run_duration_seconds', l({ conclusion: 'success' }), RUN_BUCKETS, duration, ok, step),
    c('deployment_job_runs_total', { job_name: 'build', conclusion: 'success' }, ok),
    c('deployment_job_runs_total', { job_name: 'build', conclusion: 'failure' }, failed),
    c('deployment_job_runs_total', { job_name: 'deploy', conclusion: 'success' }, ok),
    ...histogram('deployment_job_duration_seconds', l({ job_name: 'build', conclusion: 'success' }), JOB_BUCKETS, duration * 0.6, ok, step),
    ...histogram('deployment_job_duration_seconds', l({ job_name: 'deploy', conclusion: 'success' }), JOB_BUCKETS, duration * 0.4, ok, step),
    ...histogram('deployment_job_queue_seconds', l({ job_name: 'build' }), JOB_BUCKETS, 20, runs, step),
    ...histogram('deployment_job_queue_seconds', l({ job_name: 'deploy' }), JOB_BUCKETS, 8, ok, step),
    ...histogram('deployment_step_duration_seconds', l({ job_name: 'build', step: 'npm ci', conclusion: 'success' }), STEP_BUCKETS, 40, runs, step),
    ...histogram('deployment_step_duration_seconds', l({ job_name: 'build', step: 'npm test', conclusion: 'success' }), STEP_BUCKETS, 90, ok, step),
    ...histogram('deployment_step_duration_seconds', l({ job_name: 'build', step: 'npm test', conclusion: 'failure' }), STEP_BUCKETS, 45, failed, step),
    ...histogram('deployment_step_duration_seconds', l({ job_name: 'deploy', step: 'rsync', conclusion: 'success' }), STEP_BUCKETS, 60, ok, step),
    c('deployments_in_progress', {}, (t) => ((t - t0 - offset) % period < duration ? 1 : 0)),
    c('deployment_last_run_timestamp_seconds', { conclusion: 'success' }, lastRun(ok)),
    c('deployment_last_run_timestamp_seconds', { conclusion: 'failure' }, lastRun(failed)),
    { text: `deployments_total${labels({ project, environment: 'production', status: 'success', host: 'local', instance: 'vigil:9470', job: 'vigil' })}`, value: ok, step },
    { text: `deployments_total${labels({ project, environment: 'production', status: 'failure', host: 'local', instance: 'vigil:9470', job: 'vigil' })}`, value: failed, step },
    ...histogram('deployment_lead_time_seconds', l({}), LEAD_BUCKETS, 3600 + (i % 5) * 1800, ok, step),
  ];
}

function stackSeries(t0: number, step: number): Series[] {
  const base = { host: 'local', instance: 'vigil:9470', job: 'vigil' };
  const s = (name: string, extra: Record<string, string>, value: Value): Series => ({ text: `${name}${labels({ ...extra, ...base })}`, value, step });
  return [
    s('vigil_build_info', { version: '0.1.0' }, () => 1),
    s('vigil_config_last_reload_successful', {}, () => 1),
    s('vigil_projects_last_cycle_duration_seconds', { interval: '60s' }, () => 1.5),
    s('vigil_shipper_up', {}, () => 1),
    s('vigil_shipper_spool_bytes', {}, () => 4096),
    s('vigil_shipper_oldest_unacked_age_seconds', {}, () => 0),
    s('vigil_shipper_records_total', { result: 'acked' }, (t) => Math.floor(3 * (t - t0))),
    s('vigil_shipper_records_total', { result: 'dead_lettered' }, () => 0),
    s('vigil_webhook_requests_total', { source: 'github', event: 'workflow_job', result: 'accepted' }, (t) => Math.floor((t - t0) / 600)),
    s('process_cpu_seconds_total', {}, (t) => 0.02 * (t - t0)),
    s('process_resident_memory_bytes', {}, () => 9e7),
    s('nodejs_heap_size_used_bytes', {}, () => 3e7),
    s('nodejs_eventloop_lag_p99_seconds', {}, () => 0.012),
    s('vigil_deployments_stream_clients', {}, () => 1),
    s('vigil_deployments_stream_dropped_clients_total', {}, () => 0),
    { text: `up${labels(base)}`, value: () => 1, step },
    ...selfSeries(t0, step),
  ];
}

/** Prometheus's and Alertmanager's own series, as the stack scrapes them (jobs prometheus, alertmanager). */
function selfSeries(t0: number, step: number): Series[] {
  const prom = { host: 'local', instance: 'prometheus:9090', job: 'prometheus' };
  const am = { host: 'local', instance: 'alertmanager:9093', job: 'alertmanager' };
  const s = (name: string, l: Record<string, string>, value: Value): Series => ({ text: `${name}${labels(l)}`, value, step });
  const out: Series[] = [s('up', prom, () => 1), s('up', am, () => 1)];
  for (const group of ['vigil-settings', 'vigil-host', 'vigil-projects', 'vigil-deployments', 'vigil-stack']) {
    const rg = { rule_group: `/etc/prometheus/rules/${group}.yml;${group}`, ...prom };
    out.push(s('prometheus_rule_group_last_duration_seconds', rg, () => 0.004), s('prometheus_rule_evaluation_failures_total', rg, () => 0), s('prometheus_rule_group_iterations_missed_total', rg, () => 0));
  }
  out.push(s('prometheus_tsdb_head_series', prom, (t) => 17000 + 50 * wave(t, 0)));
  out.push(s('prometheus_notifications_sent_total', { alertmanager: 'http://alertmanager:9093/api/v2/alerts', ...prom }, (t) => Math.floor((t - t0) / 60)));
  out.push(s('prometheus_notifications_errors_total', { alertmanager: 'http://alertmanager:9093/api/v2/alerts', ...prom }, () => 0));
  out.push(s('prometheus_notifications_dropped_total', prom, () => 0));
  for (const integration of ['webhook', 'email']) {
    out.push(s('alertmanager_notifications_total', { integration, ...am }, (t) => Math.floor((t - t0) / 3600)), s('alertmanager_notifications_failed_total', { integration, ...am }, () => 0));
  }
  for (const state of ['active', 'suppressed', 'unprocessed']) out.push(s('alertmanager_alerts', { state, ...am }, () => (state === 'active' ? 1 : 0)));
  return out;
}

export interface History {
  readonly t0: number;
  readonly t1: number;
  readonly series: number;
  /** OpenMetrics text of [from, to): every series, its samples in time order, then # EOF. */
  window(from: number, to: number): string;
}

export function history(end: number, shape: HistoryShape = DEFAULT_SHAPE): History {
  const t1 = Math.floor(end / 7200) * 7200;
  const t0 = t1 - WEEK;
  const all: Series[] = [
    ...Array.from({ length: shape.hosts }, (_, i) => hostSeries(i, t0, shape.step)).flat(),
    ...Array.from({ length: shape.projects }, (_, i) => projectSeries(i, t0, shape.step)).flat(),
    ...Array.from({ length: shape.projects }, (_, i) => deploymentSeries(i, t0, shape)).flat(),
    ...stackSeries(t0, shape.step),
  ];
  return {
    t0,
    t1,
    series: all.length,
    window(from, to) {
      const parts: string[] = [];
      for (const s of all) {
        for (let t = Math.ceil(from / s.step) * s.step; t < to; t += s.step) parts.push(`${s.text} ${round(s.value(t))} ${t}\n`);
      }
      parts.push('# EOF\n');
      return parts.join('');
    },
  };
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
