import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

/**
 * Pure: parses /proc/meminfo into node_exporter's field names: "Active(anon):  1496 kB" becomes
 * Active_anon_bytes = 1496 * 1024; a field without a unit ("HugePages_Total:  0") keeps its name.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const parts = line.slice(colon + 1).trim().split(/\s+/);
    if (colon <= 0 || parts.length > 2 || parts[0] === '') throw new Error(`/proc/meminfo: malformed line ${JSON.stringify(line)}`);
    let value = Number(parts[0]);
    if (!Number.isFinite(value)) throw new Error(`/proc/meminfo: invalid value in ${JSON.stringify(line)}`);
    let key = line.slice(0, colon).replace(/\((.*)\)/, '_$1');
    if (!/^[A-Za-z0-9_]+$/.test(key)) continue; // not a valid metric name; node_exporter has none such
    if (parts.length === 2) {
      if (parts[1] !== 'kB') throw new Error(`/proc/meminfo: unknown unit in ${JSON.stringify(line)}`);
      value *= 1024;
      key += '_bytes';
    }
    out.set(key, value);
  }
  return out;
}

export function meminfoFamilies(fields: ReadonlyMap<string, number>): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const [key, value] of fields) {
    out.push({ name: `node_memory_${key}`, help: `Memory information field ${key}.`, type: 'gauge', samples: [{ value }] });
  }
  return out;
}

/** node_exporter's meminfo collector: every /proc/meminfo field as node_memory_<Field>[_bytes]. */
export function createMeminfoCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'meminfo');
  return {
    name: 'meminfo',
    async collect() {
      return meminfoFamilies(parseMeminfo(await deps.reader.read(path, { single: true })));
    },
  };
}
