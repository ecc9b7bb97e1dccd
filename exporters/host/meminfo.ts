import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

/** Field names as exported, by the raw name and whether it has a unit: cached, they never change. */
const KEYS_KB = new Map<string, string | null>();
const KEYS_PLAIN = new Map<string, string | null>();

function exportedKey(raw: string, hasUnit: boolean): string | null {
  const cache = hasUnit ? KEYS_KB : KEYS_PLAIN;
  let key = cache.get(raw);
  if (key === undefined) {
    const k = raw.replace(/\((.*)\)/, '_$1') + (hasUnit ? '_bytes' : '');
    key = /^[A-Za-z0-9_]+$/.test(k) ? k : null; // not a valid metric name: left out
    cache.set(raw, key);
  }
  return key;
}

const malformed = (what: string, text: string, from: number, to: number): Error =>
  new Error(`/proc/meminfo: ${what} ${JSON.stringify(text.slice(from, to))}`);

/**
 * Pure: parses /proc/meminfo into node_exporter's field names: "Active(anon):  1496 kB" becomes
 * Active_anon_bytes = 1496 * 1024; a field without a unit ("HugePages_Total:  0") keeps its name.
 * A hand-written scanner: this file has ~55 lines and is read on every scrape.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    if (eol === pos) {
      pos++;
      continue;
    }
    const colon = text.indexOf(':', pos);
    if (colon === -1 || colon > eol || colon === pos) throw malformed('malformed line', text, pos, eol);
    let i = colon + 1;
    while (i < eol && text.charCodeAt(i) === 32) i++;
    let j = i;
    while (j < eol && text.charCodeAt(j) !== 32) j++;
    let value = i === j ? NaN : Number(text.slice(i, j));
    if (!Number.isFinite(value)) throw malformed('invalid value in', text, pos, eol);
    // The rest is " kB" or nothing.
    let k = j;
    while (k < eol && text.charCodeAt(k) === 32) k++;
    const kb = k < eol;
    if (kb && (eol - k !== 2 || text.charCodeAt(k) !== 107 || text.charCodeAt(k + 1) !== 66)) throw malformed('unknown unit in', text, pos, eol);
    if (kb) value *= 1024;
    const key = exportedKey(text.slice(pos, colon), kb);
    if (key !== null) out.set(key, value);
    pos = eol + 1;
  }
  return out;
}

interface Desc {
  readonly name: string;
  readonly help: string;
}
const DESCS = new Map<string, Desc>();

export function meminfoFamilies(fields: ReadonlyMap<string, number>): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const [key, value] of fields) {
    let d = DESCS.get(key);
    if (!d) DESCS.set(key, (d = { name: `node_memory_${key}`, help: `Memory information field ${key}.` }));
    out.push({ name: d.name, help: d.help, type: 'gauge', samples: [{ value }] });
  }
  return out;
}

/** node_exporter's meminfo collector: every /proc/meminfo field as node_memory_<Field>[_bytes]. */
export function createMeminfoCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'meminfo');
  return {
    name: 'meminfo',
    collect() {
      return meminfoFamilies(parseMeminfo(deps.reader.read(path, { single: true })));
    },
  };
}
