/**
 * Prometheus text exposition (format 0.0.4) for families that are not kept in a prom-client
 * registry: host collectors and cached project results render through here, which is several
 * times cheaper than prom-client's registry.metrics() on every scrape.
 */

export type MetricType = 'gauge' | 'counter' | 'untyped';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: string): void {
  if (!NAME_RE.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
}

export function assertLabelName(name: string): void {
  if (!LABEL_RE.test(name) || name.startsWith('__')) {
    throw new Error(`invalid label name ${JSON.stringify(name)}`);
  }
}

export function escapeLabelValue(value: string): string {
  // Fast path: most values need no escaping.
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  let out = '';
  for (const key in labels) {
    out += `${out ? ',' : ''}${key}="${escapeLabelValue(labels[key] ?? '')}"`;
  }
  return out ? `{${out}}` : '';
}

/** One sample line, without the trailing newline. */
export function sampleLine(name: string, labels: Labels | undefined, value: number): string {
  return `${name}${formatLabels(labels)} ${formatValue(value)}`;
}

export function familyHeader(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

export function renderFamily(family: MetricFamily): string {
  let out = familyHeader(family.name, family.help, family.type);
  for (const s of family.samples) out += sampleLine(family.name, s.labels, s.value) + '\n';
  return out;
}

/** Families with the same name are merged under one HELP/TYPE block, as the format requires. */
export function renderFamilies(families: readonly MetricFamily[]): string {
  const byName = new Map<string, MetricFamily>();
  for (const f of families) {
    const seen = byName.get(f.name);
    byName.set(f.name, seen ? { ...seen, samples: [...seen.samples, ...f.samples] } : f);
  }
  let out = '';
  for (const f of byName.values()) out += renderFamily(f);
  return out;
}
