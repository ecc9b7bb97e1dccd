import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

/** One statistic: protocol ("Tcp", "TcpExt", "Udp6") and name ("InSegs"). */
export interface NetStat {
  readonly protocol: string;
  readonly name: string;
  readonly value: number;
}

/**
 * Pure: parses /proc/net/netstat or /proc/net/snmp, where each protocol has a header line of
 * names and a line of values ("Tcp: RtoAlgorithm RtoMin ..." then "Tcp: 1 200 ...").
 */
export function parseNetstatPairs(text: string, file: string): NetStat[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: NetStat[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = (lines[i] as string).trim().split(/\s+/);
    const values = (lines[i + 1] as string).trim().split(/\s+/);
    const protocol = (names[0] ?? '').replace(/:$/, '');
    if (names.length !== values.length || values[0] !== names[0] || protocol === '') {
      throw new Error(`${file}: mismatched lines ${JSON.stringify(lines[i])} and ${JSON.stringify(lines[i + 1])}`);
    }
    for (let j = 1; j < names.length; j++) {
      const value = Number(values[j]);
      if (!Number.isFinite(value)) throw new Error(`${file}: invalid value ${JSON.stringify(values[j])} for ${protocol}${names[j]}`);
      out.push({ protocol, name: names[j] as string, value });
    }
  }
  if (lines.length % 2 !== 0) throw new Error(`${file}: header line without values ${JSON.stringify(lines[lines.length - 1])}`);
  return out;
}

/** Pure: parses /proc/net/snmp6 ("Ip6InOctets   1234"); the protocol ends at its "6", as node_exporter splits it. */
export function parseSnmp6(text: string): NetStat[] {
  const out: NetStat[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [key, raw, ...rest] = line.trim().split(/\s+/);
    const six = key?.indexOf('6') ?? -1;
    const value = Number(raw);
    if (key === undefined || rest.length > 0 || six < 0 || !Number.isFinite(value)) {
      throw new Error(`/proc/net/snmp6: malformed line ${JSON.stringify(line)}`);
    }
    out.push({ protocol: key.slice(0, six + 1), name: key.slice(six + 1), value });
  }
  return out;
}

/** Whether a statistic is selected, and its name and help: ~300 statistics, the same on every scrape. */
type Selected = { readonly name: string; readonly help: string } | null;

/**
 * Pure: node_netstat_<Protocol>_<Name> for the statistics whose "<Protocol>_<Name>" matches `fields`,
 * untyped. `memo` (one per collector) keeps each statistic's verdict, so the regex runs once per name.
 */
export function netstatFamilies(stats: readonly NetStat[], fields: RegExp, memo = new Map<string, Selected>()): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const s of stats) {
    const key = `${s.protocol}_${s.name}`;
    let d = memo.get(key);
    if (d === undefined) {
      d = fields.test(key) ? { name: `node_netstat_${key}`, help: `Statistic ${s.protocol}${s.name}.` } : null;
      memo.set(key, d);
    }
    if (d) out.push({ name: d.name, help: d.help, type: 'untyped', samples: [{ value: s.value }] });
  }
  return out;
}

/**
 * node_exporter's netstat collector: /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6 (the
 * latter absent without IPv6), filtered by `netstat.fields`.
 */
export function createNetstatCollector(deps: { readonly reader: FileReader; readonly procfs: string; readonly fields: RegExp }): Collector {
  const net = (f: string): string => join(deps.procfs, 'net', f);
  const memo = new Map<string, Selected>();
  return {
    name: 'netstat',
    async collect() {
      const [netstat, snmp, snmp6] = await Promise.all([
        deps.reader.read(net('netstat'), { single: true }),
        deps.reader.read(net('snmp'), { single: true }),
        readOptional(deps.reader, net('snmp6'), { single: true }),
      ]);
      const stats = [
        ...parseNetstatPairs(netstat, '/proc/net/netstat'),
        ...parseNetstatPairs(snmp, '/proc/net/snmp'),
        ...(snmp6 === undefined ? [] : parseSnmp6(snmp6)),
      ];
      return netstatFamilies(stats, deps.fields, memo);
    },
  };
}
