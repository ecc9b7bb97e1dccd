/**
 * Prometheus text exposition (format 0.0.4) and the one metrics model of Vigil.
 *
 * Every part declares its families once, at module load, with `defineFamilies` (name, type, help,
 * label names; names and labels validated there, as prom-client's constructors do) and exports
 * the list through its PartDefinition; the app refuses two parts declaring the same name. A part
 * then renders them either through a prom-client registry built from the same declarations
 * (`promOptions`) or through the fast path here: `joinByFamily` and `sampleLine`, which address a
 * family by its name, never by position. The fast path is several times cheaper than prom-client's
 * registry.metrics() on every scrape (host collectors, cached project results).
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

export function familyHeader(name: string, help: string, type: MetricType | 'histogram' | 'summary'): string {
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

/** What a family may be; histograms and summaries are rendered by prom-client only. */
export type FamilyType = MetricType | 'histogram' | 'summary';

/** A family as a part declares it: the contract the boards, rules and tests read. */
export interface FamilySpec<N extends string = string, L extends string = string> {
  readonly name: N;
  readonly type: FamilyType;
  readonly help: string;
  /** Every label name its samples carry (le and quantile of histograms and summaries excepted). */
  readonly labels: readonly L[];
  /** Set when samples carry further labels taken from the configuration (validated by its schema). */
  readonly configLabels?: true;
}

/** A declared family, validated, with its HELP/TYPE header rendered once. */
export interface Family<N extends string = string, L extends string = string> extends FamilySpec<N, L> {
  readonly header: string;
}

/**
 * Declares a part's families at module load: every name and label name is checked (an invalid one
 * throws when the module is imported, as prom-client does in its constructors) and a name given
 * twice is refused. Returns them in the given order, each with its header.
 */
export function defineFamilies<const T extends readonly FamilySpec[]>(specs: T): { readonly [K in keyof T]: T[K] & Family<T[K]['name'], T[K]['labels'][number]> } {
  const seen = new Set<string>();
  const out = specs.map((spec) => {
    assertMetricName(spec.name);
    for (const label of spec.labels) assertLabelName(label);
    if (new Set(spec.labels).size !== spec.labels.length) throw new Error(`metric family ${spec.name}: a label name is given twice`);
    if (seen.has(spec.name)) throw new Error(`metric family ${spec.name} is declared twice`);
    seen.add(spec.name);
    return Object.freeze({ ...spec, header: familyHeader(spec.name, spec.help, spec.type) });
  });
  return Object.freeze(out) as never;
}

/** A declared list keyed by family name, so code addresses a family by its name (typed). */
export function byName<F extends readonly Family[]>(families: F): { readonly [K in F[number] as K['name']]: K } {
  return Object.freeze(Object.fromEntries(families.map((f) => [f.name, f]))) as never;
}

/** Options for a prom-client metric constructor from a declared family (name, help, labelNames). */
export function promOptions<L extends string>(family: FamilySpec<string, L>): { name: string; help: string; labelNames: readonly L[] } {
  return { name: family.name, help: family.help, labelNames: family.labels };
}

/** Pre-rendered sample lines ("name{...} value\n"...) keyed by family name. */
export type LinesByFamily<N extends string> = { [K in N]?: string };

/**
 * The fast path: joins groups of pre-rendered sample lines (one group per project, say) family by
 * family, each under its own header, in declared order; a family without samples is left out.
 * Lines are filed under their family's name, so a new family cannot shift samples under another's
 * HELP line.
 */
export function joinByFamily<N extends string>(families: readonly Family<N>[], groups: Iterable<LinesByFamily<N>>): string {
  const buckets: string[][] = families.map(() => []);
  for (const group of groups) {
    for (let i = 0; i < families.length; i++) {
      const text = group[(families[i] as Family<N>).name];
      if (text) (buckets[i] as string[]).push(text);
    }
  }
  let out = '';
  for (let i = 0; i < families.length; i++) {
    const lines = buckets[i] as string[];
    if (lines.length > 0) out += (families[i] as Family<N>).header + lines.join('');
  }
  return out;
}

/** One family with its samples (a handful of gauges read at scrape time). */
export function renderDeclared(family: Family, samples: readonly Sample[]): string {
  let out = family.header;
  for (const s of samples) out += sampleLine(family.name, s.labels, s.value) + '\n';
  return out;
}

/** Who declares a list of families: a part (by section) or core. */
export interface FamilyOwner {
  readonly owner: string;
  readonly families: readonly FamilySpec[];
  /** Name prefixes of families the owner names at run time (node_memory_ after /proc/meminfo's fields). */
  readonly prefixes?: readonly string[];
}

/**
 * Refuses two owners declaring the same family name, or a name under another owner's prefix:
 * each family belongs to one part (or core), so /metrics never repeats a HELP/TYPE block and the
 * boards know whose metric they read. Throws naming the family and both owners.
 */
export function assertDistinctFamilies(owners: readonly FamilyOwner[]): void {
  const byOwner = new Map<string, string>();
  const claim = (name: string, owner: string, what: string): void => {
    const first = byOwner.get(name);
    if (first !== undefined) throw new Error(`metric ${what} ${name} is declared by ${first} and by ${owner}; every family name belongs to one part`);
    byOwner.set(name, owner);
  };
  for (const { owner, families } of owners) for (const f of families) claim(f.name, owner, 'family');
  for (const { owner, prefixes = [] } of owners) {
    for (const prefix of prefixes) {
      for (const [name, other] of byOwner) {
        if (other !== owner && name.startsWith(prefix)) {
          throw new Error(`metric family ${name} of ${other} is under the prefix ${prefix} of ${owner}; every family name belongs to one part`);
        }
      }
    }
  }
  const all = owners.flatMap(({ owner, prefixes = [] }) => prefixes.map((prefix) => ({ owner, prefix })));
  for (const a of all) {
    const b = all.find((x) => x !== a && x.prefix.startsWith(a.prefix));
    if (b) throw new Error(`metric family prefix ${b.prefix} of ${b.owner} overlaps ${a.prefix} of ${a.owner}; every family name belongs to one part`);
  }
}
