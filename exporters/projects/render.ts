import { byName, defineFamilies, joinByFamily, renderDeclared, sampleLine, type Labels, type LinesByFamily } from '../../core/exposition';
import type { CheckConfig, ProjectConfig } from './config';
import { HTTP_PHASES, type ProbeResult } from './probes/probe';
import type { Status } from './status';

/**
 * The project families, in exposition order. Values change once per check, not per scrape, so
 * each project's sample lines are rendered when its run completes (renderProject), filed under
 * their family's name, and a scrape only joins them (renderAll).
 */
export const FAMILIES = defineFamilies([
  { name: 'project_info', type: 'gauge', help: "A project's static labels from the configuration; always 1.", labels: ['project'], configLabels: true },
  { name: 'project_up', type: 'gauge', help: 'Whether every check of the project passes (1) or not (0), after flap damping; absent until known.', labels: ['project'] },
  { name: 'project_check_success', type: 'gauge', help: 'Whether the last run of a check passed (1) or failed (0).', labels: ['project', 'check'] },
  { name: 'project_check_duration_seconds', type: 'gauge', help: 'Duration of the last run of a check.', labels: ['project', 'check'] },
  { name: 'project_http_status_code', type: 'gauge', help: "HTTP status code of the project's first HTTP check; 0 when no response arrived.", labels: ['project'] },
  {
    name: 'project_http_phase_duration_seconds',
    type: 'gauge',
    help: "Duration of each phase of the project's first HTTP check (dns, connect, tls, processing, transfer).",
    labels: ['project', 'phase'],
  },
  {
    name: 'project_tls_cert_expiry_timestamp_seconds',
    type: 'gauge',
    help: "Expiry (notAfter) of the leaf TLS certificate of the project's first HTTP check, as a Unix timestamp.",
    labels: ['project'],
  },
  { name: 'project_process_cpu_seconds_total', type: 'counter', help: "User and system CPU time of the processes matched by the project's first process check.", labels: ['project'] },
  { name: 'project_process_resident_memory_bytes', type: 'gauge', help: "Resident memory of the processes matched by the project's first process check.", labels: ['project'] },
  // Not project_process_count: promtool reserves the _count suffix for histograms and summaries.
  { name: 'project_processes', type: 'gauge', help: "Number of processes matched by the project's first process check.", labels: ['project'] },
  { name: 'project_last_check_timestamp_seconds', type: 'gauge', help: 'When the last run of the project completed, as a Unix timestamp.', labels: ['project'] },
  { name: 'project_state_changes_total', type: 'counter', help: 'Changes of project_up between up and down since Vigil started.', labels: ['project'] },
]);

/** The part's own families beside the projects' (cycle durations, live stream). */
export const PART_FAMILIES = defineFamilies([
  {
    name: 'vigil_projects_last_cycle_duration_seconds',
    type: 'gauge',
    help: 'How long the last scheduled run of every project with this interval took; above the interval, checks do not keep up.',
    labels: ['interval'],
  },
  { name: 'vigil_projects_stream_clients', type: 'gauge', help: 'Clients connected to the projects live stream.', labels: [] },
  { name: 'vigil_projects_stream_dropped_clients_total', type: 'counter', help: 'Projects live stream clients disconnected because they did not keep up.', labels: [] },
]);
const PART = byName(PART_FAMILIES);

export type ProjectFamily = (typeof FAMILIES)[number]['name'];
/** One project's sample lines, by family name. */
export type ProjectLines = LinesByFamily<ProjectFamily>;

export interface ProjectView {
  readonly config: ProjectConfig;
  readonly status: Status;
  readonly stateChanges: number;
  /** Unix seconds of the last completed run; undefined before the first. */
  readonly lastCheckSeconds: number | undefined;
  /** Results of the last run, by check name. */
  readonly results: ReadonlyMap<string, ProbeResult>;
}

function firstOfType(view: ProjectView, type: CheckConfig['type']): ProbeResult | undefined {
  const check = view.config.checks.find((c) => c.type === type);
  return check ? view.results.get(check.name) : undefined;
}

/** The project's sample lines by family; a family it has no sample of is absent. */
export function renderProject(view: ProjectView): ProjectLines {
  const project = view.config.name;
  const p = { project };
  const out: ProjectLines = {};
  // The sample's name is the family it is filed under: it cannot land under another's HELP line.
  const add = (family: ProjectFamily, labels: Labels, value: number): void => {
    out[family] = `${out[family] ?? ''}${sampleLine(family, labels, value)}\n`;
  };
  add('project_info', { project, ...view.config.labels }, 1);
  if (view.status !== 'unknown') add('project_up', p, view.status === 'up' ? 1 : 0);
  for (const check of view.config.checks) {
    const r = view.results.get(check.name);
    if (!r) continue;
    add('project_check_success', { project, check: check.name }, r.success ? 1 : 0);
    add('project_check_duration_seconds', { project, check: check.name }, r.durationSeconds);
  }
  const http = firstOfType(view, 'http')?.http;
  if (http) {
    add('project_http_status_code', p, http.statusCode);
    for (const phase of HTTP_PHASES) {
      const seconds = http.phases[phase];
      if (seconds !== undefined) add('project_http_phase_duration_seconds', { project, phase }, seconds);
    }
    if (http.certExpirySeconds !== undefined) add('project_tls_cert_expiry_timestamp_seconds', p, http.certExpirySeconds);
  }
  const proc = firstOfType(view, 'process')?.process;
  if (proc) {
    if (proc.count > 0) {
      add('project_process_cpu_seconds_total', p, proc.cpuSeconds);
      add('project_process_resident_memory_bytes', p, proc.residentBytes);
    }
    add('project_processes', p, proc.count);
  }
  if (view.lastCheckSeconds !== undefined) {
    add('project_last_check_timestamp_seconds', p, view.lastCheckSeconds);
    add('project_state_changes_total', p, view.stateChanges);
  }
  return out;
}

/** Joins pre-rendered projects family by family, in FAMILIES order; a family without samples is left out. */
export function renderAll(projects: Iterable<ProjectLines>): string {
  return joinByFamily(FAMILIES, projects);
}

/** The cycle durations by interval in milliseconds, labelled like "60s". */
export function renderCycles(cycles: ReadonlyMap<number, number>): string {
  if (cycles.size === 0) return '';
  const samples = [...cycles].sort((a, b) => a[0] - b[0]).map(([ms, seconds]) => ({ labels: { interval: `${ms / 1000}s` }, value: seconds }));
  return renderDeclared(PART.vigil_projects_last_cycle_duration_seconds, samples);
}

/** The live stream's two gauges. */
export function renderStream(clients: number, dropped: number): string {
  return renderDeclared(PART.vigil_projects_stream_clients, [{ value: clients }]) + renderDeclared(PART.vigil_projects_stream_dropped_clients_total, [{ value: dropped }]);
}
