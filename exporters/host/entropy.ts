import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

/** Pure: a sysctl holding one integer ("256\n"). */
export function parseSysctlInt(text: string, path: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(v)) throw new Error(`${path}: expected an integer, got ${JSON.stringify(text.slice(0, 40))}`);
  return v;
}

export function entropyFamilies(available: number, poolSize: number): MetricFamily[] {
  return [
    { name: 'node_entropy_available_bits', help: 'Bits of available entropy.', type: 'gauge', samples: [{ value: available }] },
    { name: 'node_entropy_pool_size_bits', help: 'Bits of entropy pool.', type: 'gauge', samples: [{ value: poolSize }] },
  ];
}

/** node_exporter's entropy collector: /proc/sys/kernel/random/{entropy_avail,poolsize}. */
export function createEntropyCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const availPath = join(deps.procfs, 'sys', 'kernel', 'random', 'entropy_avail');
  const poolPath = join(deps.procfs, 'sys', 'kernel', 'random', 'poolsize');
  return {
    name: 'entropy',
    collect() {
      const avail = deps.reader.read(availPath, { single: true });
      const pool = deps.reader.read(poolPath, { single: true });
      return entropyFamilies(parseSysctlInt(avail, availPath), parseSysctlInt(pool, poolPath));
    },
  };
}
