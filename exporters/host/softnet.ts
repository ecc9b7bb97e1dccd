import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';

export interface SoftnetCpu {
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueezed: number;
}

/** Pure: parses /proc/net/softnet_stat, one line of hexadecimal counters per CPU. */
export function parseSoftnet(text: string): SoftnetCpu[] {
  const out: SoftnetCpu[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = line.trim().split(/\s+/);
    const v = f.slice(0, 3).map((x) => (/^[0-9a-f]+$/i.test(x) ? parseInt(x, 16) : NaN));
    if (f.length < 9 || v.some((x) => Number.isNaN(x))) throw new Error(`/proc/net/softnet_stat: malformed line ${JSON.stringify(line)}`);
    out.push({ processed: v[0] as number, dropped: v[1] as number, timeSqueezed: v[2] as number });
  }
  return out;
}

/** Pure: node_exporter 1.5's softnet families; the cpu label is the line's index, as there. */
export function softnetFamilies(cpus: readonly SoftnetCpu[]): MetricFamily[] {
  const family = (name: string, help: string, pick: (c: SoftnetCpu) => number): MetricFamily => ({
    name,
    help,
    type: 'counter',
    samples: cpus.map((c, i): Sample => ({ labels: { cpu: String(i) }, value: pick(c) })),
  });
  return [
    family('node_softnet_processed_total', 'Number of processed packets', (c) => c.processed),
    family('node_softnet_dropped_total', 'Number of dropped packets', (c) => c.dropped),
    family('node_softnet_times_squeezed_total', 'Number of times processing packets ran out of quota', (c) => c.timeSqueezed),
  ];
}

/** node_exporter's softnet collector. */
export function createSoftnetCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'net', 'softnet_stat');
  return {
    name: 'softnet',
    collect() {
      return softnetFamilies(parseSoftnet(deps.reader.read(path, { maxRecordBytes: 256 })));
    },
  };
}
