import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import { splitFields, forEachLine } from './fields';
import type { FileReader } from './file-reader';

/**
 * Pure: the /proc/vmstat fields ("pgfault 123456") whose names match `fields`; `memo` (one per
 * collector) keeps each name's verdict, so the regex runs once per field name.
 */
export function parseVmstat(text: string, fields: RegExp, memo = new Map<string, boolean>()): Map<string, number> {
  const out = new Map<string, number>();
  forEachLine(text, (start, end) => {
    const f = splitFields(text, start, end);
    const [name, raw] = f;
    if (f.length !== 2 || name === undefined || raw === undefined) throw new Error(`/proc/vmstat: malformed line ${JSON.stringify(text.slice(start, end))}`);
    let selected = memo.get(name);
    if (selected === undefined) memo.set(name, (selected = fields.test(name)));
    if (!selected) return;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`/proc/vmstat: invalid value in ${JSON.stringify(text.slice(start, end))}`);
    out.set(name, value);
  });
  return out;
}

/** Pure: node_vmstat_<field>, untyped as in node_exporter. */
export function vmstatFamilies(fields: ReadonlyMap<string, number>): MetricFamily[] {
  return [...fields].map(([name, value]) => ({
    name: `node_vmstat_${name}`,
    help: `/proc/vmstat information field ${name}.`,
    type: 'untyped' as const,
    samples: [{ value }],
  }));
}

/** node_exporter's vmstat collector: the /proc/vmstat fields selected by `vmstat.fields`. */
export function createVmstatCollector(deps: { readonly reader: FileReader; readonly procfs: string; readonly fields: RegExp }): Collector {
  const path = join(deps.procfs, 'vmstat');
  const memo = new Map<string, boolean>();
  return {
    name: 'vmstat',
    collect() {
      return vmstatFamilies(parseVmstat(deps.reader.read(path, { maxRecordBytes: 128 }), deps.fields, memo));
    },
  };
}
