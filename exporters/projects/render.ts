import { familyHeader, sampleLine, type MetricType } from '../../core/exposition';
import type { CheckConfig, ProjectConfig } from './config';
import { HTTP_PHASES, type ProbeResult } from './probes/probe';
import type { Status } from './status';

/**
 * The project families, in exposition order. Values change once per check, not per scrape, so
 * each project's sample lines are rendered when its run completes (renderProject) and a scrape
 * only joins them (renderAll).
 */
export const FAMILIES = [
  { name: 'project_info', type: 'gauge', help: "A project's static labels from the configuration; always 1." },
  { name: 'project_up', type: 'gauge', help: 'Whether every check of the project passes (1) or not (0), after flap damping; absent until known.' },
  { name: 'project_check_success', type: 'gauge', help: 'Whether the last run of a check passed (1) or failed (0).' },
  { name: 'project_check_duration_seconds', type: 'gauge', help: 'Duration of the last run of a check.' },
  { name: 'project_http_status_code', type: 'gauge', help: "HTTP status code of the project's first HTTP check; 0 when no response arrived." },
  { name: 'project_http_phase_duration_seconds', type: 'gauge', help: "Duration of each phase of the project's first HTTP check (dns, connect, tls, processing, transfer)." },
  { name: 'project_tls_cert_expiry_timestamp_seconds', type: 'gauge', help: "Expiry (notAfter) of the leaf TLS certificate of the project's first HTTP check, as a Unix timestamp." },
  { name: 'project_process_cpu_seconds_total', type: 'counter', help: "User and system CPU time of the processes matched by the project's first process check." },
  { name: 'project_process_resident_memory_bytes', type: 'gauge', help: "Resident memory of the processes matched by the project's first process check." },
  // Not project_process_count: promtool reserves the _count suffix for histograms and summaries.
  { name: 'project_processes', type: 'gauge', help: "Number of processes matched by the project's first process check." },
  { name: 'project_last_check_timestamp_seconds', type: 'gauge', help: 'When the last run of the project completed, as a Unix timestamp.' },
  { name: 'project_state_changes_total', type: 'counter', help: 'Changes of project_up between up and down since Vigil started.' },
] as const satisfies readonly { name: string; type: MetricType; help: string }[];

const HEADERS = FAMILIES.map((f) => familyHeader(f.name, f.help, f.type));

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

/** The project's sample lines, one string per family of FAMILIES ("" where it has none). */
export function renderProject(view: ProjectView): string[] {
  const project = view.config.name;
  const p = { project };
  const out = FAMILIES.map(() => '');
  const add = (family: number, line: string): void => {
    out[family] += `${line}\n`;
  };
  add(0, sampleLine('project_info', { project, ...view.config.labels }, 1));
  if (view.status !== 'unknown') add(1, sampleLine('project_up', p, view.status === 'up' ? 1 : 0));
  for (const check of view.config.checks) {
    const r = view.results.get(check.name);
    if (!r) continue;
    add(2, sampleLine('project_check_success', { project, check: check.name }, r.success ? 1 : 0));
    add(3, sampleLine('project_check_duration_seconds', { project, check: check.name }, r.durationSeconds));
  }
  const http = firstOfType(view, 'http')?.http;
  if (http) {
    add(4, sampleLine('project_http_status_code', p, http.statusCode));
    for (const phase of HTTP_PHASES) {
      const seconds = http.phases[phase];
      if (seconds !== undefined) add(5, sampleLine('project_http_phase_duration_seconds', { project, phase }, seconds));
    }
    if (http.certExpirySeconds !== undefined) add(6, sampleLine('project_tls_cert_expiry_timestamp_seconds', p, http.certExpirySeconds));
  }
  const proc = firstOfType(view, 'process')?.process;
  if (proc) {
    if (proc.count > 0) {
      add(7, sampleLine('project_process_cpu_seconds_total', p, proc.cpuSeconds));
      add(8, sampleLine('project_process_resident_memory_bytes', p, proc.residentBytes));
    }
    add(9, sampleLine('project_processes', p, proc.count));
  }
  if (view.lastCheckSeconds !== undefined) {
    add(10, sampleLine('project_last_check_timestamp_seconds', p, view.lastCheckSeconds));
    add(11, sampleLine('project_state_changes_total', p, view.stateChanges));
  }
  return out;
}

/** Joins pre-rendered projects family by family; a family without samples is left out. */
export function renderAll(projects: Iterable<readonly string[]>): string {
  const parts: string[][] = FAMILIES.map(() => []);
  for (const lines of projects) {
    for (let i = 0; i < parts.length; i++) {
      const text = lines[i];
      if (text) (parts[i] as string[]).push(text);
    }
  }
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const family = parts[i] as string[];
    if (family.length > 0) out += (HEADERS[i] as string) + family.join('');
  }
  return out;
}

const CYCLE_FAMILY = 'vigil_projects_last_cycle_duration_seconds';
const CYCLE_HEADER = familyHeader(CYCLE_FAMILY, 'How long the last scheduled run of every project with this interval took; above the interval, checks do not keep up.', 'gauge');

/** The cycle durations by interval in milliseconds, labelled like "60s". */
export function renderCycles(cycles: ReadonlyMap<number, number>): string {
  if (cycles.size === 0) return '';
  let out = CYCLE_HEADER;
  for (const [ms, seconds] of [...cycles].sort((a, b) => a[0] - b[0])) out += `${sampleLine(CYCLE_FAMILY, { interval: `${ms / 1000}s` }, seconds)}\n`;
  return out;
}
