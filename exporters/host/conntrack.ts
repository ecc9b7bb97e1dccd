import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

/** The /proc/net/stat/nf_conntrack columns node_exporter sums over CPUs, with its help texts. */
const STATS: readonly (readonly [column: string, help: string])[] = [
  ['found', 'Number of searched entries which were successful.'],
  ['invalid', 'Number of packets seen which can not be tracked.'],
  ['ignore', 'Number of packets seen which are already connected to a conntrack entry.'],
  ['insert', 'Number of entries inserted into the list.'],
  ['insert_failed', 'Number of entries for which list insertion was attempted but failed.'],
  ['drop', 'Number of packets dropped due to conntrack failure.'],
  ['early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'],
  ['search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'],
];

/** Pure: sums each column of /proc/net/stat/nf_conntrack (a header line, then one hex line per CPU). */
export function parseConntrackStat(text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').trim().split(/\s+/);
  if (header[0] !== 'entries') throw new Error(`/proc/net/stat/nf_conntrack: unexpected header ${JSON.stringify(lines[0] ?? '')}`);
  const sums = new Map<string, number>(header.map((h) => [h, 0]));
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length !== header.length || f.some((x) => !/^[0-9a-f]+$/i.test(x))) {
      throw new Error(`/proc/net/stat/nf_conntrack: malformed line ${JSON.stringify(line)}`);
    }
    header.forEach((h, i) => sums.set(h, (sums.get(h) ?? 0) + parseInt(f[i] as string, 16)));
  }
  return sums;
}

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });

/** Pure: node_exporter's conntrack families. */
export function conntrackFamilies(entries: number, limit: number, stats?: ReadonlyMap<string, number>): MetricFamily[] {
  const out = [
    gauge('node_nf_conntrack_entries', 'Number of currently allocated flow entries for connection tracking.', entries),
    gauge('node_nf_conntrack_entries_limit', 'Maximum size of connection tracking table.', limit),
  ];
  for (const [column, help] of STATS) {
    const value = stats?.get(column);
    if (value !== undefined) out.push(gauge(`node_nf_conntrack_stat_${column}`, help, value));
  }
  return out;
}

const integer = (text: string, path: string): number => {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(v)) throw new Error(`${path}: expected an integer, got ${JSON.stringify(text.slice(0, 40))}`);
  return v;
};

/** node_exporter's conntrack collector; without the nf_conntrack module it yields no families. */
export function createConntrackCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const sys = (f: string): string => join(deps.procfs, 'sys', 'net', 'netfilter', f);
  const countPath = sys('nf_conntrack_count');
  const maxPath = sys('nf_conntrack_max');
  const statPath = join(deps.procfs, 'net', 'stat', 'nf_conntrack');
  return {
    name: 'conntrack',
    collect() {
      const count = readOptional(deps.reader, countPath, { single: true });
      if (count === undefined) return [];
      const max = readOptional(deps.reader, maxPath, { single: true });
      if (max === undefined) return [];
      const stat = readOptional(deps.reader, statPath, { maxRecordBytes: 256 });
      return conntrackFamilies(
        integer(count, countPath),
        integer(max, maxPath),
        stat === undefined ? undefined : parseConntrackStat(stat),
      );
    },
  };
}
