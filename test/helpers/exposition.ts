import type { FamilySpec } from '../../core/exposition';

/** One family as it appears in a text exposition: its HELP/TYPE and the label names of its samples. */
export interface SeenFamily {
  readonly name: string;
  readonly type: string | undefined;
  readonly help: string | undefined;
  readonly labels: Set<string>;
  samples: number;
}

const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

/**
 * Reads a Prometheus text exposition and lists what breaks its structure: a sample whose name is
 * not the family of the HELP/TYPE block it stands under (the mistake of lines addressed by
 * position), a family whose block appears twice, a HELP or TYPE without the other (a
 * block without samples is valid: prom-client writes one for a labelled family never set). Returns the families seen, in order, and the problems (empty when sound).
 */
export function readExposition(text: string): { families: SeenFamily[]; problems: string[] } {
  const families: SeenFamily[] = [];
  const problems: string[] = [];
  const byName = new Map<string, SeenFamily>();
  let current: SeenFamily | undefined;
  const open = (name: string, help: string | undefined, type: string | undefined): SeenFamily => {
    if (byName.has(name)) problems.push(`${name}: a second HELP/TYPE block`);
    const f: SeenFamily = { name, help, type, labels: new Set(), samples: 0 };
    byName.set(name, f);
    families.push(f);
    return f;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(lines[i + 1] ?? '');
      if (!type || type[1] !== help[1]) problems.push(`${help[1]}: HELP without its TYPE line after it`);
      else i++;
      current = open(help[1] as string, help[2], type?.[2]);
      continue;
    }
    const typeOnly = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typeOnly) {
      problems.push(`${typeOnly[1]}: TYPE without HELP`);
      current = open(typeOnly[1] as string, undefined, typeOnly[2]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) {
      problems.push(`not a sample line: ${line}`);
      continue;
    }
    const name = sample[1] as string;
    const suffixes = SUFFIXES[current?.type ?? ''] ?? [''];
    if (!current || !suffixes.some((s) => `${current?.name}${s}` === name)) {
      problems.push(`${name}: sample under the HELP/TYPE of ${current?.name ?? 'no family'}`);
      continue;
    }
    current.samples++;
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) current.labels.add(m[1] as string);
  }
  return { families, problems };
}

/**
 * What of an exposition its declared families do not cover: a family not declared (and under no
 * declared prefix), a type, help or label name other than declared (le and quantile excepted).
 */
export function undeclared(seen: readonly SeenFamily[], declared: readonly FamilySpec[], prefixes: readonly string[] = []): string[] {
  const problems: string[] = [];
  const specs = new Map(declared.map((d) => [d.name, d]));
  for (const f of seen) {
    const spec = specs.get(f.name);
    if (!spec) {
      if (!prefixes.some((p) => f.name.startsWith(p))) problems.push(`${f.name}: served but not declared`);
      continue;
    }
    if (spec.type !== f.type) problems.push(`${f.name}: served as ${f.type}, declared ${spec.type}`);
    if (spec.help !== f.help?.replaceAll('\\n', '\n').replaceAll('\\\\', '\\')) problems.push(`${f.name}: served with another help text than declared`);
    for (const label of f.labels) {
      if (label === 'le' || label === 'quantile' || spec.labels.includes(label) || spec.configLabels) continue;
      problems.push(`${f.name}: label ${label} not declared`);
    }
  }
  return problems;
}
