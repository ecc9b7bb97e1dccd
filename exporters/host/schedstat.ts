import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

export interface SchedstatCpu {
  readonly cpu: string;
  readonly runningSeconds: number;
  readonly waitingSeconds: number;
  readonly timeslices: number;
}

/**
 * Pure: parses /proc/schedstat; each "cpuN" line's 7th to 9th counters are the time spent running
 * and waiting (nanoseconds) and the timeslices run on that CPU.
 */
export function parseSchedstat(text: string): SchedstatCpu[] {
  const out: SchedstatCpu[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const f = line.trim().split(/\s+/);
    const v = f.slice(7, 10).map(Number);
    if (f.length < 10 || v.some((x) => !Number.isFinite(x))) throw new Error(`/proc/schedstat: malformed line ${JSON.stringify(line)}`);
    out.push({ cpu: (f[0] as string).slice(3), runningSeconds: (v[0] as number) / 1e9, waitingSeconds: (v[1] as number) / 1e9, timeslices: v[2] as number });
  }
  return out;
}

export function schedstatFamilies(cpus: readonly SchedstatCpu[]): MetricFamily[] {
  const family = (name: string, help: string, pick: (c: SchedstatCpu) => number): MetricFamily => ({
    name,
    help,
    type: 'counter',
    samples: cpus.map((c): Sample => ({ labels: { cpu: c.cpu }, value: pick(c) })),
  });
  return [
    family('node_schedstat_running_seconds_total', 'Number of seconds CPU spent running a process.', (c) => c.runningSeconds),
    family('node_schedstat_waiting_seconds_total', 'Number of seconds spent by processing waiting for this CPU.', (c) => c.waitingSeconds),
    family('node_schedstat_timeslices_total', 'Number of timeslices executed by CPU.', (c) => c.timeslices),
  ];
}

/** node_exporter's schedstat collector; a kernel without CONFIG_SCHEDSTATS yields no families. */
export function createSchedstatCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'schedstat');
  return {
    name: 'schedstat',
    collect() {
      const text = readOptional(deps.reader, path, { maxRecordBytes: 512 });
      return text === undefined ? [] : schedstatFamilies(parseSchedstat(text));
    },
  };
}
