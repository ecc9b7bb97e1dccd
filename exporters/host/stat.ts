import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { parseProcStat, type ProcStat } from './proc-stat';

/** Pure: node_exporter's stat families from parsed /proc/stat (lines the kernel lacks are left out). */
export function statFamilies(stat: ProcStat): MetricFamily[] {
  const out: MetricFamily[] = [];
  const add = (name: string, help: string, type: 'gauge' | 'counter', value: number | undefined): void => {
    if (value !== undefined) out.push({ name, help, type, samples: [{ value }] });
  };
  add('node_boot_time_seconds', 'Node boot time, in unixtime.', 'gauge', stat.btime);
  add('node_context_switches_total', 'Total number of context switches.', 'counter', stat.ctxt);
  add('node_forks_total', 'Total number of forks.', 'counter', stat.processes);
  add('node_intr_total', 'Total number of interrupts serviced.', 'counter', stat.intr);
  add('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', 'gauge', stat.procsBlocked);
  add('node_procs_running', 'Number of processes in runnable state.', 'gauge', stat.procsRunning);
  return out;
}

/** node_exporter's stat collector: boot time, context switches, forks, interrupts, procs. */
export function createStatCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'stat');
  return {
    name: 'stat',
    collect() {
      return statFamilies(parseProcStat(deps.reader.read(path, { single: true })));
    },
  };
}
