import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, MetricType, Sample } from '../../core/exposition';
import { forEachLine, splitFields } from './fields';
import type { FileReader } from './file-reader';

/** /proc/diskstats counts sectors of 512 bytes whatever the device's own sector size. */
const SECTOR_BYTES = 512;

export interface DiskStats {
  readonly major: number;
  readonly minor: number;
  readonly device: string;
  /** The numeric columns after the name: 11 (before 4.18), 15 (4.18+) or 17 (5.5+). */
  readonly values: readonly number[];
}

/** Pure: parses /proc/diskstats (Documentation/admin-guide/iostats.rst). */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  const where = (start: number, end: number): string => JSON.stringify(text.slice(start, end));
  forEachLine(text, (start, end) => {
    const f = splitFields(text, start, end);
    if (f.length === 0) return;
    if (f.length < 14) throw new Error(`/proc/diskstats: malformed line ${where(start, end)}`);
    const values: number[] = new Array<number>(f.length - 3);
    for (let i = 3; i < f.length; i++) values[i - 3] = Number(f[i]);
    const major = Number(f[0]);
    const minor = Number(f[1]);
    if (!Number.isFinite(major) || !Number.isFinite(minor) || values.some((x) => !Number.isFinite(x))) {
      throw new Error(`/proc/diskstats: invalid value in ${where(start, end)}`);
    }
    out.push({ major, minor, device: f[2] as string, values });
  });
  return out;
}

interface Column {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly scale: (v: number) => number;
}

const count = (v: number): number => v;
const sectorsToBytes = (v: number): number => v * SECTOR_BYTES;
const msToSeconds = (v: number): number => v / 1000;

/** The columns in file order, with node_exporter's names, help texts and unit conversions. */
const COLUMNS: readonly Column[] = [
  { name: 'node_disk_reads_completed_total', help: 'The total number of reads completed successfully.', type: 'counter', scale: count },
  { name: 'node_disk_reads_merged_total', help: 'The total number of reads merged.', type: 'counter', scale: count },
  { name: 'node_disk_read_bytes_total', help: 'The total number of bytes read successfully.', type: 'counter', scale: sectorsToBytes },
  { name: 'node_disk_read_time_seconds_total', help: 'The total number of seconds spent by all reads.', type: 'counter', scale: msToSeconds },
  { name: 'node_disk_writes_completed_total', help: 'The total number of writes completed successfully.', type: 'counter', scale: count },
  { name: 'node_disk_writes_merged_total', help: 'The number of writes merged.', type: 'counter', scale: count },
  { name: 'node_disk_written_bytes_total', help: 'The total number of bytes written successfully.', type: 'counter', scale: sectorsToBytes },
  { name: 'node_disk_write_time_seconds_total', help: 'This is the total number of seconds spent by all writes.', type: 'counter', scale: msToSeconds },
  { name: 'node_disk_io_now', help: 'The number of I/Os currently in progress.', type: 'gauge', scale: count },
  { name: 'node_disk_io_time_seconds_total', help: 'Total seconds spent doing I/Os.', type: 'counter', scale: msToSeconds },
  { name: 'node_disk_io_time_weighted_seconds_total', help: 'The weighted # of seconds spent doing I/Os.', type: 'counter', scale: msToSeconds },
  { name: 'node_disk_discards_completed_total', help: 'The total number of discards completed successfully.', type: 'counter', scale: count },
  { name: 'node_disk_discards_merged_total', help: 'The total number of discards merged.', type: 'counter', scale: count },
  { name: 'node_disk_discarded_sectors_total', help: 'The total number of sectors discarded successfully.', type: 'counter', scale: count },
  { name: 'node_disk_discard_time_seconds_total', help: 'This is the total number of seconds spent by all discards.', type: 'counter', scale: msToSeconds },
  { name: 'node_disk_flush_requests_total', help: 'The total number of flush requests completed successfully', type: 'counter', scale: count },
  {
    name: 'node_disk_flush_requests_time_seconds_total',
    help: 'This is the total number of seconds spent by all flush requests.',
    type: 'counter',
    scale: msToSeconds,
  },
];

/** Pure: node_exporter's diskstats families; excluded devices (partitions, loop, ram...) left out. */
export function diskstatsFamilies(disks: readonly DiskStats[], exclude?: RegExp): MetricFamily[] {
  const samples: Sample[][] = COLUMNS.map(() => []);
  for (const d of disks) {
    if (exclude?.test(d.device)) continue;
    const labels = { device: d.device };
    const n = Math.min(d.values.length, COLUMNS.length);
    for (let i = 0; i < n; i++) {
      (samples[i] as Sample[]).push({ labels, value: (COLUMNS[i] as Column).scale(d.values[i] as number) });
    }
  }
  return COLUMNS.map((c, i) => ({ name: c.name, help: c.help, type: c.type, samples: samples[i] as Sample[] })).filter(
    (f) => f.samples.length > 0,
  );
}

/** node_exporter's diskstats collector. */
export function createDiskstatsCollector(deps: {
  readonly reader: FileReader;
  readonly procfs: string;
  readonly deviceExclude?: RegExp | undefined;
}): Collector {
  const path = join(deps.procfs, 'diskstats');
  return {
    name: 'diskstats',
    collect() {
      return diskstatsFamilies(parseDiskstats(deps.reader.read(path, { maxRecordBytes: 512 })), deps.deviceExclude);
    },
  };
}
