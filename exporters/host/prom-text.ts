import type { Labels, MetricType } from '../../core/exposition';

/** One family of Prometheus text exposition as written in a file. */
export interface ParsedFamily {
  name: string;
  help?: string;
  type: MetricType | 'histogram' | 'summary';
  samples: { name: string; labels: Labels; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);

function parseValue(raw: string): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const v = Number(raw);
  if (raw === '' || Number.isNaN(v)) throw new Error(`invalid value ${JSON.stringify(raw)}`);
  return v;
}

/** Parses `{a="x",b="y"}` starting at text[i] === '{'; returns the labels and the index after '}'. */
function parseLabels(text: string, i: number): [Labels, number] {
  const labels: Record<string, string> = {};
  i++;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return [labels, i + 1];
    const eq = text.indexOf('=', i);
    const key = text.slice(i, eq).trim();
    if (eq < 0 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || text[eq + 1] !== '"') throw new Error(`malformed labels in ${JSON.stringify(text)}`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`unterminated label value in ${JSON.stringify(text)}`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[j + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    if (key in labels) throw new Error(`duplicate label ${key} in ${JSON.stringify(text)}`);
    labels[key] = value;
    i = j + 1;
  }
}

/** The family a sample belongs to: histogram and summary series carry _bucket, _sum and _count suffixes. */
function familyOf(name: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
  }
  return undefined;
}

/**
 * Pure: parses Prometheus text exposition (format 0.0.4) as node_exporter's textfile collector
 * accepts it: HELP and TYPE comments, samples with labels, no client-side timestamps.
 */
export function parsePromText(text: string): ParsedFamily[] {
  const families = new Map<string, ParsedFamily>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = (msg: string): Error => new Error(`line ${index + 1}: ${msg}`);
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // an ordinary comment
      const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
      if (!NAME.test(name)) throw where(`invalid metric name ${JSON.stringify(name)}`);
      let f = families.get(name);
      if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
      if (kind === 'HELP') f.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else if (!TYPES.has(rest)) throw where(`unknown type ${JSON.stringify(rest)}`);
      else if (f.samples.length > 0) throw where(`TYPE for ${name} after its samples`);
      else f.type = rest as ParsedFamily['type'];
      return;
    }
    const nameEnd = line.search(/[{\s]/);
    const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
    if (!NAME.test(name)) throw where(`invalid metric name ${JSON.stringify(name)}`);
    let labels: Labels = {};
    let i = nameEnd < 0 ? line.length : nameEnd;
    if (line[i] === '{') {
      try {
        [labels, i] = parseLabels(line, i);
      } catch (err) {
        throw where((err as Error).message);
      }
    }
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length > 1) throw where(`client-side timestamps are not supported: ${JSON.stringify(line)}`);
    let value: number;
    try {
      value = parseValue(rest[0] ?? '');
    } catch (err) {
      throw where((err as Error).message);
    }
    let f = familyOf(name, families);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    f.samples.push({ name, labels, value });
  });
  return [...families.values()];
}
