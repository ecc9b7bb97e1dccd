import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { Labels, MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { parseProcStat, type CpuTimes } from './proc-stat';

/** node_exporter's modes of node_cpu_seconds_total (guest time is already inside user and nice). */
const MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] as const;

/** An idle counter this far below the last one means the CPU went offline and came back. */
const JUMP_BACK_SECONDS = 3;

/**
 * Pure: keeps CPU counters monotonic as node_exporter does. Some kernels let iowait (and after a
 * hotplug every counter) go backwards; a counter that goes back keeps its previous value, and an
 * idle jump back of 3 s or more resets that CPU. Returns the times to export.
 */
export function updateCpuTimes(previous: CpuTimes | undefined, next: CpuTimes): CpuTimes {
  if (!previous || previous.idle - next.idle >= JUMP_BACK_SECONDS) return { ...next };
  const out = { ...next };
  for (const k of Object.keys(next) as (keyof CpuTimes)[]) {
    if (next[k] < previous[k]) out[k] = previous[k];
  }
  return out;
}

interface CpuLabels {
  readonly modes: readonly Labels[];
  readonly guestNice: Labels;
  readonly guestUser: Labels;
}
/** Label sets by CPU, made once: the same few dozen on every scrape. */
const LABELS = new Map<string, CpuLabels>();
function labelsFor(cpu: string): CpuLabels {
  let l = LABELS.get(cpu);
  if (!l) {
    l = { modes: MODES.map((mode) => ({ cpu, mode })), guestNice: { cpu, mode: 'nice' }, guestUser: { cpu, mode: 'user' } };
    LABELS.set(cpu, l);
  }
  return l;
}

/** Pure: the cpu families for per-CPU times keyed by CPU number. */
export function cpuFamilies(cpus: ReadonlyMap<string, CpuTimes>): MetricFamily[] {
  const seconds: Sample[] = [];
  const guest: Sample[] = [];
  for (const [cpu, t] of cpus) {
    const l = labelsFor(cpu);
    for (let i = 0; i < MODES.length; i++) seconds.push({ labels: l.modes[i], value: t[MODES[i] as (typeof MODES)[number]] });
    guest.push({ labels: l.guestNice, value: t.guestNice }, { labels: l.guestUser, value: t.guest });
  }
  return [
    { name: 'node_cpu_guest_seconds_total', help: 'Seconds the CPUs spent in guests (VMs) for each mode.', type: 'counter', samples: guest },
    { name: 'node_cpu_seconds_total', help: 'Seconds the CPUs spent in each mode.', type: 'counter', samples: seconds },
  ];
}

/** node_exporter's cpu collector (per-CPU times from /proc/stat in seconds, USER_HZ = 100). */
export function createCpuCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'stat');
  let last = new Map<string, CpuTimes>();
  return {
    name: 'cpu',
    collect() {
      const stat = parseProcStat(deps.reader.read(path, { single: true }));
      const next = new Map<string, CpuTimes>();
      for (const [cpu, times] of stat.cpus) next.set(cpu, updateCpuTimes(last.get(cpu), times));
      last = next;
      return cpuFamilies(next);
    },
  };
}
