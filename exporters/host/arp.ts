import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

/** Pure: ARP entries per device from /proc/net/arp (a header line, then "IP HWtype Flags HWaddr Mask Device"). */
export function parseArp(text: string): Map<string, number> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!lines[0]?.startsWith('IP address')) throw new Error(`/proc/net/arp: unexpected header ${JSON.stringify(lines[0] ?? '')}`);
  const out = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 6) throw new Error(`/proc/net/arp: malformed line ${JSON.stringify(line)}`);
    const device = f[5] as string;
    out.set(device, (out.get(device) ?? 0) + 1);
  }
  return out;
}

export function arpFamilies(byDevice: ReadonlyMap<string, number>): MetricFamily[] {
  return [
    {
      name: 'node_arp_entries',
      help: 'ARP entries by device',
      type: 'gauge',
      samples: [...byDevice].map(([device, value]) => ({ labels: { device }, value })),
    },
  ];
}

/** node_exporter's arp collector. */
export function createArpCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'net', 'arp');
  return {
    name: 'arp',
    collect() {
      return arpFamilies(parseArp(deps.reader.read(path, { maxRecordBytes: 256 })));
    },
  };
}
