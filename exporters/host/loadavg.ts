import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

export interface Loadavg {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

/** Pure: parses /proc/loadavg ("0.25 0.27 0.13 1/88 7357"). */
export function parseLoadavg(text: string): Loadavg {
  const f = text.trim().split(/\s+/);
  const v = f.slice(0, 3).map(Number);
  if (v.length < 3 || v.some((x) => !Number.isFinite(x)) || f.slice(0, 3).some((x) => x === '')) {
    throw new Error(`/proc/loadavg: unexpected content ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { load1: v[0] as number, load5: v[1] as number, load15: v[2] as number };
}

export function loadavgFamilies(l: Loadavg): MetricFamily[] {
  return [
    { name: 'node_load1', help: '1m load average.', type: 'gauge', samples: [{ value: l.load1 }] },
    { name: 'node_load5', help: '5m load average.', type: 'gauge', samples: [{ value: l.load5 }] },
    { name: 'node_load15', help: '15m load average.', type: 'gauge', samples: [{ value: l.load15 }] },
  ];
}

/** node_exporter's loadavg collector. */
export function createLoadavgCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'loadavg');
  return {
    name: 'loadavg',
    collect() {
      return loadavgFamilies(parseLoadavg(deps.reader.read(path, { single: true })));
    },
  };
}
