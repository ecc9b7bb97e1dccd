import { readFile } from 'node:fs/promises';
import type { ProcessCheck } from '../config';
import { matchesName, type ProcessInfo, type ProcessTable } from '../process-table';
import { secondsSince, type Probe, type ProbeResult } from './probe';

export interface ProcessProbeOptions {
  readonly table: ProcessTable;
  /**
   * How old the shared process list may be (the shortest check interval): the list of all
   * processes is read at most once per cycle for all process checks; matched pids are then read
   * again so that CPU time and liveness are current.
   */
  readonly listMaxAgeMs: () => number;
}

async function pidFromFile(path: string): Promise<number | string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return `cannot read pid file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : `pid file ${path} does not hold a process id`;
}

/** A process check: success when at least one process matches; CPU, memory and count of all of them. */
export function createProcessProbe(opts: ProcessProbeOptions): Probe<ProcessCheck> {
  const { table } = opts;
  return async (check, signal): Promise<ProbeResult> => {
    const start = performance.now();
    let matched: ProcessInfo[];
    let what: string;
    if (check.pid_file !== undefined) {
      const pid = await pidFromFile(check.pid_file);
      if (typeof pid === 'string') {
        return { success: false, durationSeconds: secondsSince(start), reason: pid, process: { count: 0, cpuSeconds: 0, residentBytes: 0 } };
      }
      const info = await table.get(pid);
      matched = info ? [info] : [];
      what = `process ${pid} from ${check.pid_file} is not running`;
    } else {
      const all = await table.list(opts.listMaxAgeMs());
      const re = check.cmdline !== undefined ? new RegExp(check.cmdline) : undefined;
      const candidates = all.filter((p) => (re ? re.test(p.cmdline) : matchesName(p, check.process_name ?? '')));
      const fresh = await Promise.all(candidates.map((p) => table.get(p.pid)));
      matched = fresh.filter((p): p is ProcessInfo => p !== undefined && (re ? re.test(p.cmdline) : matchesName(p, check.process_name ?? '')));
      what = re ? `no process command line matches /${check.cmdline}/` : `no process named ${JSON.stringify(check.process_name)}`;
    }
    if (signal.aborted) return { success: false, durationSeconds: secondsSince(start), reason: 'aborted' };
    const rss = await Promise.all(matched.map((p) => table.residentBytes(p.pid)));
    const process = {
      count: matched.length,
      cpuSeconds: matched.reduce((sum, p) => sum + p.cpuSeconds, 0),
      residentBytes: rss.reduce((sum, b) => sum + b, 0),
    };
    const success = matched.length > 0;
    return { success, durationSeconds: secondsSince(start), reason: success ? '' : what, process };
  };
}
