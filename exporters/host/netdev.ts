import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import { splitFields } from './fields';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

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

/** Pure: adds receive_nohandler (from sysfs) to the devices that have it, after receive_multicast. */
export function withNoHandler(devices: readonly NetDevStats[], noHandler: ReadonlyMap<string, number>): NetDevStats[] {
  return devices.map((d) => {
    const v = noHandler.get(d.device);
    if (v === undefined) return d;
    const stats = new Map<string, number>();
    for (const [k, x] of d.stats) {
      stats.set(k, x);
      if (k === 'receive_multicast') stats.set('receive_nohandler', v);
    }
    if (!stats.has('receive_nohandler')) stats.set('receive_nohandler', v);
    return { device: d.device, stats };
  });
}

/**
 * node_exporter's netdev collector, from /proc/net/dev (no netlink socket needed) plus each
 * device's statistics/rx_nohandler in sysfs, which /proc/net/dev lacks and node_exporter's
 * netlink read has.
 */
export function createNetDevCollector(deps: {
  readonly reader: FileReader;
  readonly procfs: string;
  readonly sysfs: string;
  readonly deviceExclude?: RegExp | undefined;
}): Collector {
  const path = join(deps.procfs, 'net', 'dev');
  /** The rx_nohandler path of each device seen last scrape. */
  let paths = new Map<string, string>();
  const readNoHandler = (devices: readonly NetDevStats[]): Map<string, number> => {
    const out = new Map<string, number>();
    const next = new Map<string, string>();
    for (const { device } of devices) {
      const file = paths.get(device) ?? join(deps.sysfs, 'class', 'net', device, 'statistics', 'rx_nohandler');
      next.set(device, file);
      const text = readOptional(deps.reader, file, { single: true });
      const v = text === undefined ? NaN : Number(text.trim());
      if (text !== undefined && text.trim() !== '' && Number.isFinite(v)) out.set(device, v);
    }
    for (const [device, file] of paths) if (!next.has(device)) deps.reader.forget(file);
    paths = next;
    return out;
  };
  return {
    name: 'netdev',
    collect() {
      const devices = parseNetDev(deps.reader.read(path, { maxRecordBytes: 512 })).filter((d) => !deps.deviceExclude?.test(d.device));
      return netDevFamilies(withNoHandler(devices, readNoHandler(devices)));
    },
  };
}
