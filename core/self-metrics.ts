import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { byName, defineFamilies, renderDeclared } from './exposition';

/** Vigil's own families, with the names Prometheus client libraries use; declared once, here. */
export const SELF_FAMILIES = defineFamilies([
  { name: 'process_cpu_user_seconds_total', type: 'counter', help: 'Total user CPU time spent in seconds.', labels: [] },
  { name: 'process_cpu_system_seconds_total', type: 'counter', help: 'Total system CPU time spent in seconds.', labels: [] },
  { name: 'process_cpu_seconds_total', type: 'counter', help: 'Total user and system CPU time spent in seconds.', labels: [] },
  { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since unix epoch in seconds.', labels: [] },
  { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident memory size in bytes.', labels: [] },
  { name: 'nodejs_heap_size_total_bytes', type: 'gauge', help: 'Process heap size from Node.js in bytes.', labels: [] },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', help: 'Process heap size used from Node.js in bytes.', labels: [] },
  { name: 'nodejs_external_memory_bytes', type: 'gauge', help: 'Node.js external memory size in bytes.', labels: [] },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', help: 'The 99th percentile of the recorded event loop delays.', labels: [] },
  { name: 'nodejs_eventloop_lag_max_seconds', type: 'gauge', help: 'The maximum recorded event loop delay.', labels: [] },
  {
    name: 'vigil_build_info',
    type: 'gauge',
    help: 'A metric with a constant 1 value labeled by the version and Node.js version Vigil runs on.',
    labels: ['version', 'nodejs_version'],
  },
  { name: 'vigil_config_last_reload_successful', type: 'gauge', help: 'Whether the last configuration reload attempt was successful.', labels: [] },
  { name: 'vigil_config_last_reload_success_timestamp_seconds', type: 'gauge', help: 'Timestamp of the last successful configuration reload.', labels: [] },
  { name: 'process_open_fds', type: 'gauge', help: 'Number of open file descriptors.', labels: [] },
  { name: 'process_max_fds', type: 'gauge', help: 'Maximum number of open file descriptors.', labels: [] },
  { name: 'process_virtual_memory_bytes', type: 'gauge', help: 'Virtual memory size in bytes.', labels: [] },
  { name: 'process_virtual_memory_max_bytes', type: 'gauge', help: 'Maximum amount of virtual memory available in bytes.', labels: [] },
]);

type SelfName = (typeof SELF_FAMILIES)[number]['name'];
const SELF = byName(SELF_FAMILIES);

export interface SelfMetrics {
  /** Vigil's own process, build and config reload state, rendered as exposition text. */
  render(): Promise<string>;
  reloaded(success: boolean): void;
  stop(): void;
}

/** The soft limit on open files, from /proc/self/limits ("Max open files  1024  4096  files"). */
export function parseMaxFds(limits: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/**
 * The address-space limit from /proc/self/limits ("Max address space  unlimited  unlimited  bytes");
 * unlimited is 2^64-1, as client_golang's process collector reports it.
 */
export function parseMaxAddressSpace(limits: string): number | undefined {
  const m = /^Max address space\s+(\d+|unlimited)\s/m.exec(limits);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? 2 ** 64 - 1 : Number(m[1]);
}

/** The virtual memory size in bytes: field 23 (vsize) of /proc/self/stat, after the ")" that ends the command name. */
export function parseVsize(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = Number(fields[20]);
  return Number.isFinite(v) && fields[20] !== '' ? v : undefined;
}

/** A value read from procfs, or undefined where it cannot be read (no procfs: not Linux). */
function procAnswer<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const procText = (path: string): string | undefined => procAnswer(() => readFileSync(path, 'utf8'));

/** Pure: the first two fields of /proc/self/statm: the address space and the resident set, in pages. */
export function parseStatm(statm: string): { size: number; resident: number } | undefined {
  const [size, resident] = statm.split(' ', 2).map(Number);
  return size !== undefined && resident !== undefined && Number.isFinite(size) && Number.isFinite(resident) ? { size, resident } : undefined;
}

/**
 * The kernel's page size from the same address space counted in bytes (/proc/self/stat's vsize)
 * and in pages (statm's size): the power of two nearest their ratio (the two are read one after
 * the other, and the address space may change a little meanwhile). 4096 when they cannot be read.
 */
export function pageSizeOf(vsizeBytes: number | undefined, sizePages: number | undefined): number {
  if (vsizeBytes === undefined || sizePages === undefined || sizePages <= 0) return 4096;
  return 2 ** Math.round(Math.log2(vsizeBytes / sizePages));
}

/**
 * How many descriptors this process has open. Linux 6.2 and later give the count as the size of
 * /proc/self/fd (one stat, as prometheus/procfs's FileDescriptorsLen does); older kernels say 0
 * there, and the directory is listed instead (one entry a descriptor: costly for a process that
 * keeps ~120 procfs and sysfs files open, as the host part does).
 */
export function countOpenFds(dir = '/proc/self/fd'): number | undefined {
  return procAnswer(() => statSync(dir).size || readdirSync(dir).length);
}

/**
 * A procfs file of this process through one descriptor kept open: each call is one pread from
 * offset 0, which makes the kernel write it afresh (a line, well under the buffer).
 */
function selfFileReader(path: string): { read(): string | undefined; close(): void } {
  let fd: number | undefined;
  const buf = Buffer.allocUnsafe(4096);
  return {
    read: () =>
      procAnswer(() => {
        fd ??= openSync(path, 'r');
        return buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
      }),
    close() {
      if (fd !== undefined) procAnswer(() => closeSync(fd as number));
      fd = undefined;
    },
  };
}

/**
 * Vigil's own metrics with the names Prometheus client libraries use (process_*, nodejs_*), kept
 * lean: prom-client's default set costs about 0.5 ms a scrape (GC histograms, per-space heap,
 * synchronous /proc reads), more than all host collectors together.
 */
export function createSelfMetrics(version: string): SelfMetrics {
  const started = Date.now() / 1000 - process.uptime();
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  let limits: string | undefined;
  // statm, not stat: /proc/self/stat sums every thread's times and costs the kernel far more to
  // write (libuv's RSS reads it too), and statm holds both sizes the metrics need, in pages.
  const selfStatm = selfFileReader('/proc/self/statm');
  let pageSize: number | undefined;
  let lastReloadOk = 1;
  let lastReloadAt = Date.now() / 1000;

  /** One unlabelled sample of a declared family; undefined values are left out. */
  const g = (name: SelfName, value: number | undefined): string => (value === undefined ? '' : renderDeclared(SELF[name], [{ value }]));

  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- render() may wait; today it reads procfs on the spot
    async render() {
      // procfs answers from kernel memory: read on the spot, without a threadpool round trip each.
      limits ??= procText('/proc/self/limits');
      const limitsText = limits;
      const fds = countOpenFds();
      const statmText = selfStatm.read();
      const statm = statmText === undefined ? undefined : parseStatm(statmText);
      pageSize ??= pageSizeOf(procAnswer(() => parseVsize(readFileSync('/proc/self/stat', 'latin1'))), statm?.size);
      const vsize = statm === undefined ? undefined : statm.size * pageSize;
      const max = limitsText === undefined ? undefined : parseMaxFds(limitsText);
      const maxVsize = limitsText === undefined ? undefined : parseMaxAddressSpace(limitsText);
      const cpu = process.cpuUsage();
      const heap = getHeapStatistics(); // what process.memoryUsage() reports, without its read of /proc/self/stat
      const mem = {
        rss: statm === undefined ? process.memoryUsage.rss() : statm.resident * pageSize,
        heapTotal: heap.total_heap_size,
        heapUsed: heap.used_heap_size,
        external: heap.external_memory,
      };
      return (
        g('process_cpu_user_seconds_total', cpu.user / 1e6) +
        g('process_cpu_system_seconds_total', cpu.system / 1e6) +
        g('process_cpu_seconds_total', (cpu.user + cpu.system) / 1e6) +
        g('process_start_time_seconds', Math.round(started)) +
        g('process_resident_memory_bytes', mem.rss) +
        g('nodejs_heap_size_total_bytes', mem.heapTotal) +
        g('nodejs_heap_size_used_bytes', mem.heapUsed) +
        g('nodejs_external_memory_bytes', mem.external) +
        g('nodejs_eventloop_lag_p99_seconds', lag.count > 0 ? lag.percentile(99) / 1e9 : 0) +
        g('nodejs_eventloop_lag_max_seconds', lag.count > 0 ? lag.max / 1e9 : 0) +
        renderDeclared(SELF.vigil_build_info, [{ labels: { version, nodejs_version: process.version }, value: 1 }]) +
        g('vigil_config_last_reload_successful', lastReloadOk) +
        g('vigil_config_last_reload_success_timestamp_seconds', lastReloadAt) +
        g('process_open_fds', fds) +
        g('process_max_fds', max !== undefined && Number.isFinite(max) ? max : undefined) +
        g('process_virtual_memory_bytes', vsize) +
        g('process_virtual_memory_max_bytes', maxVsize)
      );
    },
    reloaded(success) {
      lastReloadOk = success ? 1 : 0;
      if (success) lastReloadAt = Date.now() / 1000;
    },
    stop() {
      lag.disable();
      selfStatm.close();
    },
  };
}
