import { USER_HZ } from '../../core/procfs';
import { splitFields } from './fields';

/** Per-CPU times in seconds, in /proc/stat column order. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export const CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;

export interface ProcStat {
  /** "cpuN" lines by N (the "cpu" total line is left out, as node_exporter does). */
  readonly cpus: ReadonlyMap<string, CpuTimes>;
  readonly intr?: number;
  readonly ctxt?: number;
  readonly btime?: number;
  readonly processes?: number;
  readonly procsRunning?: number;
  readonly procsBlocked?: number;
}

function num(field: string | undefined, line: string): number {
  const v = Number(field);
  if (field === undefined || field === '' || !Number.isFinite(v)) throw new Error(`/proc/stat: malformed line ${JSON.stringify(line.slice(0, 80))}`);
  return v;
}

/** Pure: parses /proc/stat (see proc(5)). Unknown lines are ignored; malformed known lines throw. */
export function parseProcStat(text: string): ProcStat {
  const cpus = new Map<string, CpuTimes>();
  const out: { -readonly [K in keyof ProcStat]: ProcStat[K] } = { cpus };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.startsWith('cpu')) {
      if (line.charCodeAt(3) === 32) continue; // "cpu " is the total over all CPUs
      const f = splitFields(line);
      const times = {} as CpuTimes;
      // Older kernels have fewer columns (guest since 2.6.24, guest_nice since 2.6.33).
      for (let i = 0; i < CPU_FIELDS.length; i++) {
        const raw = f[i + 1];
        times[CPU_FIELDS[i] as keyof CpuTimes] = raw === undefined || raw === '' ? 0 : num(raw, line) / USER_HZ;
      }
      if (f.length < 5) throw new Error(`/proc/stat: malformed line ${JSON.stringify(line.slice(0, 80))}`);
      cpus.set((f[0] as string).slice(3), times);
      continue;
    }
    const sp = line.indexOf(' ');
    if (sp === -1) continue;
    const key = line.slice(0, sp);
    switch (key) {
      case 'intr': {
        // "intr TOTAL per-irq..." only the total is exported.
        const next = line.indexOf(' ', sp + 1);
        out.intr = num(line.slice(sp + 1, next === -1 ? undefined : next), line);
        break;
      }
      case 'ctxt':
        out.ctxt = num(line.slice(sp + 1).trim(), line);
        break;
      case 'btime':
        out.btime = num(line.slice(sp + 1).trim(), line);
        break;
      case 'processes':
        out.processes = num(line.slice(sp + 1).trim(), line);
        break;
      case 'procs_running':
        out.procsRunning = num(line.slice(sp + 1).trim(), line);
        break;
      case 'procs_blocked':
        out.procsBlocked = num(line.slice(sp + 1).trim(), line);
        break;
      default:
        break;
    }
  }
  return out;
}
