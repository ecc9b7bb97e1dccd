import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import { forEachLine, splitFields } from './fields';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

/** One statistic: protocol ("Tcp", "TcpExt", "Udp6") and name ("InSegs"). */
export interface NetStat {
  readonly protocol: string;
  readonly name: string;
  readonly value: number;
}

/** A header line of /proc/net/netstat or snmp, split once: its protocol and column names. */
interface Header {
  /** The line's first field ("Tcp:"), which the values line repeats. */
  readonly tag: string;
  readonly protocol: string;
  readonly names: readonly string[];
}

/**
 * Header lines seen, by their text: a kernel prints the same few on every scrape, so each is split
 * once and its name strings are the same on every scrape (cheap to look up). Bounded in case a
 * caller feeds ever-new texts.
 */
const HEADERS = new Map<string, Header | null>();
const MAX_HEADERS = 256;

function header(line: string): Header | null {
  let h = HEADERS.get(line);
  if (h === undefined) {
    const names = splitFields(line);
    const tag = names[0] ?? '';
    const protocol = tag.replace(/:$/, '');
    h = protocol === '' ? null : { tag, protocol, names: names.slice(1) };
    if (HEADERS.size >= MAX_HEADERS) HEADERS.clear();
    HEADERS.set(line, h);
  }
  return h;
}

/** The lines of a text without empty ones, as [start, end) offsets. */
function lineBounds(text: string): number[] {
  const out: number[] = [];
  forEachLine(text, (start, end) => {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9) {
        out.push(start, end);
        return;
      }
    }
  });
  return out;
}

/**
 * Pure: parses /proc/net/netstat or /proc/net/snmp, where each protocol has a header line of
 * names and a line of values ("Tcp: RtoAlgorithm RtoMin ..." then "Tcp: 1 200 ...").
 */
export function parseNetstatPairs(text: string, file: string): NetStat[] {
  const bounds = lineBounds(text);
  const lines = bounds.length / 2;
  const out: NetStat[] = [];
  const line = (i: number): string => text.slice(bounds[2 * i], bounds[2 * i + 1]);
  for (let i = 0; i + 1 < lines; i += 2) {
    const h = header(line(i).trim());
    const values = splitFields(text, bounds[2 * i + 2], bounds[2 * i + 3]);
    if (!h || h.names.length !== values.length - 1 || values[0] !== h.tag) {
      throw new Error(`${file}: mismatched lines ${JSON.stringify(line(i))} and ${JSON.stringify(line(i + 1))}`);
    }
    const { protocol, names } = h;
    for (let j = 0; j < names.length; j++) {
      const value = Number(values[j + 1]);
      if (!Number.isFinite(value)) throw new Error(`${file}: invalid value ${JSON.stringify(values[j + 1])} for ${protocol}${names[j]}`);
      out.push({ protocol, name: names[j] as string, value });
    }
  }
  if (lines % 2 !== 0) throw new Error(`${file}: header line without values ${JSON.stringify(line(lines - 1))}`);
  return out;
}

/** snmp6 keys ("Ip6InOctets") split at their "6", by key: the same ~90 on every scrape. */
const SNMP6_KEYS = new Map<string, readonly [protocol: string, name: string]>();

/** Pure: parses /proc/net/snmp6 ("Ip6InOctets   1234"); the protocol ends at its "6", as node_exporter splits it. */
export function parseSnmp6(text: string): NetStat[] {
  const out: NetStat[] = [];
  forEachLine(text, (start, end) => {
    const f = splitFields(text, start, end);
    if (f.length === 0) return;
    const [key, raw] = f as [string, string | undefined];
    let split = SNMP6_KEYS.get(key);
    if (split === undefined) {
      const six = key.indexOf('6');
      if (six >= 0) {
        split = [key.slice(0, six + 1), key.slice(six + 1)];
        if (SNMP6_KEYS.size >= MAX_HEADERS) SNMP6_KEYS.clear();
        SNMP6_KEYS.set(key, split);
      }
    }
    const value = Number(raw);
    if (f.length !== 2 || split === undefined || raw === undefined || !Number.isFinite(value)) {
      throw new Error(`/proc/net/snmp6: malformed line ${JSON.stringify(text.slice(start, end))}`);
    }
    out.push({ protocol: split[0], name: split[1], value });
  });
  return out;
}

/** Whether a statistic is selected, and its name and help: ~300 statistics, the same on every scrape. */
type Selected = { readonly name: string; readonly help: string } | null;

/**
 * Pure: node_netstat_<Protocol>_<Name> for the statistics whose "<Protocol>_<Name>" matches `fields`,
 * untyped. `memo` (one per collector) keeps each statistic's verdict by protocol and name, so the
 * regex runs once per statistic.
 */
export function netstatFamilies(stats: readonly NetStat[], fields: RegExp, memo = new Map<string, Map<string, Selected>>()): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const s of stats) {
    let byName = memo.get(s.protocol);
    if (!byName) memo.set(s.protocol, (byName = new Map<string, Selected>()));
    let d = byName.get(s.name);
    if (d === undefined) {
      const key = `${s.protocol}_${s.name}`;
      d = fields.test(key) ? { name: `node_netstat_${key}`, help: `Statistic ${s.protocol}${s.name}.` } : null;
      byName.set(s.name, d);
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
  const [netstatPath, snmpPath, snmp6Path] = ['netstat', 'snmp', 'snmp6'].map((f) => join(deps.procfs, 'net', f)) as [string, string, string];
  const memo = new Map<string, Map<string, Selected>>();
  return {
    name: 'netstat',
    collect() {
      const netstat = deps.reader.read(netstatPath, { single: true });
      const snmp = deps.reader.read(snmpPath, { single: true });
      const snmp6 = readOptional(deps.reader, snmp6Path, { single: true });
      const stats = [
        ...parseNetstatPairs(netstat, '/proc/net/netstat'),
        ...parseNetstatPairs(snmp, '/proc/net/snmp'),
        ...(snmp6 === undefined ? [] : parseSnmp6(snmp6)),
      ];
      return netstatFamilies(stats, deps.fields, memo);
    },
  };
}
