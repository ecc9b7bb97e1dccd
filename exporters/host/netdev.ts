import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import { splitFields } from './fields';
import type { FileReader } from './file-reader';

export interface NetDevStats {
  readonly device: string;
  /** "receive_bytes", "transmit_colls", ... as named by the /proc/net/dev header. */
  readonly stats: ReadonlyMap<string, number>;
}

/**
 * Pure: parses /proc/net/dev. Column names come from the two header lines, so
 * "bytes packets errs drop fifo frame compressed multicast" under Receive become receive_bytes...
 */
export function parseNetDev(text: string): NetDevStats[] {
  const lines = text.split('\n');
  const header = (lines[1] ?? '').split('|');
  if (header.length !== 3) throw new Error(`/proc/net/dev: unexpected header ${JSON.stringify(lines[1] ?? '')}`);
  const rx = (header[1] as string).trim().split(/\s+/).map((f) => `receive_${f}`);
  const tx = (header[2] as string).trim().split(/\s+/).map((f) => `transmit_${f}`);
  const names = [...rx, ...tx];
  const out: NetDevStats[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const colon = line.lastIndexOf(':');
    const values = splitFields(line, colon + 1);
    if (colon === -1 || values.length !== names.length) throw new Error(`/proc/net/dev: malformed line ${JSON.stringify(line)}`);
    const stats = new Map<string, number>();
    for (let j = 0; j < names.length; j++) {
      const v = Number(values[j]);
      if (!Number.isFinite(v)) throw new Error(`/proc/net/dev: invalid value in ${JSON.stringify(line)}`);
      stats.set(names[j] as string, v);
    }
    out.push({ device: line.slice(0, colon).trim(), stats });
  }
  return out;
}

/** Names and help texts by statistic: the same handful on every scrape. */
const DESCS = new Map<string, { readonly name: string; readonly help: string }>();

/** Pure: one counter family per statistic, named and described as node_exporter does. */
export function netDevFamilies(devices: readonly NetDevStats[], exclude?: RegExp): MetricFamily[] {
  const byKey = new Map<string, Sample[]>();
  for (const d of devices) {
    if (exclude?.test(d.device)) continue;
    const labels = { device: d.device };
    for (const [key, value] of d.stats) {
      let samples = byKey.get(key);
      if (!samples) byKey.set(key, (samples = []));
      samples.push({ labels, value });
    }
  }
  return [...byKey].map(([key, samples]) => {
    let d = DESCS.get(key);
    if (!d) DESCS.set(key, (d = { name: `node_network_${key}_total`, help: `Network device statistic ${key}.` }));
    return { name: d.name, help: d.help, type: 'counter' as const, samples };
  });
}

/** node_exporter's netdev collector, from /proc/net/dev (no netlink socket needed). */
export function createNetDevCollector(deps: {
  readonly reader: FileReader;
  readonly procfs: string;
  readonly deviceExclude?: RegExp | undefined;
}): Collector {
  const path = join(deps.procfs, 'net', 'dev');
  return {
    name: 'netdev',
    async collect() {
      return netDevFamilies(parseNetDev(await deps.reader.read(path, { maxRecordBytes: 512 })), deps.deviceExclude);
    },
  };
}
