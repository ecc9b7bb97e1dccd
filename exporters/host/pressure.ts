import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

/** Cumulative stall time in seconds of one /proc/pressure file: "some" and, where the kernel has it, "full". */
export interface PressureTotals {
  readonly some: number;
  readonly full?: number;
}

/** Pure: parses /proc/pressure/<resource> ("some avg10=0.00 avg60=0.00 avg300=0.00 total=1234", µs). */
export function parsePressure(text: string, what = 'pressure'): PressureTotals {
  const totals: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(some|full)\s.*\btotal=(\d+)\s*$/.exec(line);
    if (!m) throw new Error(`/proc/pressure/${what}: malformed line ${JSON.stringify(line)}`);
    totals[m[1] as string] = Number(m[2]) / 1e6;
  }
  if (totals.some === undefined) throw new Error(`/proc/pressure/${what}: no "some" line`);
  return totals.full === undefined ? { some: totals.some } : { some: totals.some, full: totals.full };
}

const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });

/** Pure: node_exporter 1.5's pressure families (cpu "full" is not exported, as there). */
export function pressureFamilies(p: { cpu?: PressureTotals; io?: PressureTotals; memory?: PressureTotals }): MetricFamily[] {
  const out: MetricFamily[] = [];
  if (p.cpu) out.push(counter('node_pressure_cpu_waiting_seconds_total', 'Total time in seconds that processes have waited for CPU time', p.cpu.some));
  if (p.io) {
    out.push(counter('node_pressure_io_waiting_seconds_total', 'Total time in seconds that processes have waited due to IO congestion', p.io.some));
    if (p.io.full !== undefined) {
      out.push(counter('node_pressure_io_stalled_seconds_total', 'Total time in seconds no process could make progress due to IO congestion', p.io.full));
    }
  }
  if (p.memory) {
    out.push(counter('node_pressure_memory_waiting_seconds_total', 'Total time in seconds that processes have waited for memory', p.memory.some));
    if (p.memory.full !== undefined) {
      out.push(
        counter('node_pressure_memory_stalled_seconds_total', 'Total time in seconds no process could make progress due to memory congestion', p.memory.full),
      );
    }
  }
  return out;
}

/** node_exporter's pressure collector (PSI, Linux 4.20+); a kernel without PSI yields no families. */
export function createPressureCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const paths = { cpu: join(deps.procfs, 'pressure', 'cpu'), io: join(deps.procfs, 'pressure', 'io'), memory: join(deps.procfs, 'pressure', 'memory') };
  const read = (resource: keyof typeof paths): PressureTotals | undefined => {
    const text = readOptional(deps.reader, paths[resource], { single: true });
    return text === undefined ? undefined : parsePressure(text, resource);
  };
  return {
    name: 'pressure',
    collect() {
      const [cpu, io, memory] = [read('cpu'), read('io'), read('memory')];
      return pressureFamilies({ ...(cpu ? { cpu } : {}), ...(io ? { io } : {}), ...(memory ? { memory } : {}) });
    },
  };
}
