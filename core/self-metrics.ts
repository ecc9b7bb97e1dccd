import { openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { renderFamilies, type MetricFamily } from './exposition';

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

/**
 * /proc/self/stat through one descriptor kept open: each call is one pread from offset 0, which
 * makes the kernel write the line afresh (a few hundred bytes, well under the buffer).
 */
function selfStatReader(): () => string | undefined {
  let fd: number | undefined;
  const buf = Buffer.allocUnsafe(4096);
  return () =>
    procAnswer(() => {
      fd ??= openSync('/proc/self/stat', 'r');
      return buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
    });
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
  const readStat = selfStatReader();
  let lastReloadOk = 1;
  let lastReloadAt = Date.now() / 1000;

  const g = (name: string, help: string, value: number, type: 'gauge' | 'counter' = 'gauge'): MetricFamily => ({
    name,
    help,
    type,
    samples: [{ value }],
  });

  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- render() may wait; today it reads procfs on the spot
    async render() {
      // procfs answers from kernel memory: read on the spot, without a threadpool round trip each.
      limits ??= procText('/proc/self/limits');
      const limitsText = limits;
      const fds = procAnswer(() => readdirSync('/proc/self/fd').length);
      const stat = readStat();
      const vsize = stat === undefined ? undefined : parseVsize(stat);
      const max = limitsText === undefined ? undefined : parseMaxFds(limitsText);
      const maxVsize = limitsText === undefined ? undefined : parseMaxAddressSpace(limitsText);
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      const families: MetricFamily[] = [
        g('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', cpu.user / 1e6, 'counter'),
        g('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.', cpu.system / 1e6, 'counter'),
        g('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6, 'counter'),
        g('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', Math.round(started)),
        g('process_resident_memory_bytes', 'Resident memory size in bytes.', mem.rss),
        g('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', mem.heapTotal),
        g('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', mem.heapUsed),
        g('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', mem.external),
        g('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', lag.count > 0 ? lag.percentile(99) / 1e9 : 0),
        g('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', lag.count > 0 ? lag.max / 1e9 : 0),
        {
          name: 'vigil_build_info',
          help: 'A metric with a constant 1 value labeled by the version and Node.js version Vigil runs on.',
          type: 'gauge',
          samples: [{ labels: { version, nodejs_version: process.version }, value: 1 }],
        },
        g('vigil_config_last_reload_successful', 'Whether the last configuration reload attempt was successful.', lastReloadOk),
        g('vigil_config_last_reload_success_timestamp_seconds', 'Timestamp of the last successful configuration reload.', lastReloadAt),
      ];
      if (fds !== undefined) families.push(g('process_open_fds', 'Number of open file descriptors.', fds));
      if (max !== undefined && Number.isFinite(max)) families.push(g('process_max_fds', 'Maximum number of open file descriptors.', max));
      if (vsize !== undefined) families.push(g('process_virtual_memory_bytes', 'Virtual memory size in bytes.', vsize));
      if (maxVsize !== undefined) families.push(g('process_virtual_memory_max_bytes', 'Maximum amount of virtual memory available in bytes.', maxVsize));
      return renderFamilies(families);
    },
    reloaded(success) {
      lastReloadOk = success ? 1 : 0;
      if (success) lastReloadAt = Date.now() / 1000;
    },
    stop() {
      lag.disable();
    },
  };
}
