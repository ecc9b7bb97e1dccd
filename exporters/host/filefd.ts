import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';

/** Pure: parses /proc/sys/fs/file-nr ("1132\t0\t2466170": allocated, unused, maximum). */
export function parseFileNr(text: string): { allocated: number; maximum: number } {
  const f = text.trim().split(/\s+/);
  const v = f.map(Number);
  if (f.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`/proc/sys/fs/file-nr: unexpected content ${JSON.stringify(text.slice(0, 80))}`);
  return { allocated: v[0] as number, maximum: v[2] as number };
}

export function filefdFamilies(fd: { allocated: number; maximum: number }): MetricFamily[] {
  return [
    { name: 'node_filefd_allocated', help: 'File descriptor statistics: allocated.', type: 'gauge', samples: [{ value: fd.allocated }] },
    { name: 'node_filefd_maximum', help: 'File descriptor statistics: maximum.', type: 'gauge', samples: [{ value: fd.maximum }] },
  ];
}

/** node_exporter's filefd collector. */
export function createFilefdCollector(deps: { readonly reader: FileReader; readonly procfs: string }): Collector {
  const path = join(deps.procfs, 'sys', 'fs', 'file-nr');
  return {
    name: 'filefd',
    collect() {
      return filefdFamilies(parseFileNr(deps.reader.read(path, { single: true })));
    },
  };
}
