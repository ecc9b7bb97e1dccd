import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';

export interface Clocksource {
  readonly device: string;
  readonly available: readonly string[];
  readonly current: string;
}

/** Pure: the time zone's abbreviation ("UTC", "CET") and offset east of UTC in seconds at `ms`. */
export function timeZone(ms: number, zone?: string): { name: string; offsetSeconds: number } {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
  const name = fmt.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  const longFmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  const off = longFmt.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(off);
  const offsetSeconds = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  return { name, offsetSeconds };
}

/** Pure: node_exporter's time families. */
export function timeFamilies(nowMs: number, zone: { name: string; offsetSeconds: number }, clocksources: readonly Clocksource[]): MetricFamily[] {
  const available: Sample[] = [];
  const current: Sample[] = [];
  for (const c of clocksources) {
    for (const name of c.available) available.push({ labels: { clocksource: name, device: c.device }, value: 1 });
    if (c.current) current.push({ labels: { clocksource: c.current, device: c.device }, value: 1 });
  }
  const out: MetricFamily[] = [];
  if (available.length > 0) {
    out.push({
      name: 'node_time_clocksource_available_info',
      help: "Available clocksources read from '/sys/devices/system/clocksource'.",
      type: 'gauge',
      samples: available,
    });
  }
  if (current.length > 0) {
    out.push({
      name: 'node_time_clocksource_current_info',
      help: "Current clocksource read from '/sys/devices/system/clocksource'.",
      type: 'gauge',
      samples: current,
    });
  }
  out.push(
    { name: 'node_time_seconds', help: 'System time in seconds since epoch (1970).', type: 'gauge', samples: [{ value: nowMs / 1000 }] },
    {
      name: 'node_time_zone_offset_seconds',
      help: 'System time zone offset in seconds.',
      type: 'gauge',
      samples: [{ labels: { time_zone: zone.name }, value: zone.offsetSeconds }],
    },
  );
  return out;
}

export interface TimeDeps {
  readonly reader: FileReader;
  readonly sysfs: string;
  /** Milliseconds since the epoch; Date.now unless a test fixes the clock. */
  readonly now?: () => number;
  /** IANA zone name for tests; the process's own zone otherwise. */
  readonly zone?: string;
}

/**
 * node_exporter's time collector: system time, zone offset and the clocksources of
 * sysfs/devices/system/clocksource/clocksource0 (the only device Linux has). A missing
 * clocksource directory (a container without sysfs) leaves those two families out.
 */
export function createTimeCollector(deps: TimeDeps): Collector {
  const now = deps.now ?? Date.now;
  const dir = join(deps.sysfs, 'devices', 'system', 'clocksource', 'clocksource0');
  const availablePath = join(dir, 'available_clocksource');
  const currentPath = join(dir, 'current_clocksource');
  let zoneCache: { minute: number; zone: { name: string; offsetSeconds: number } } | undefined;
  const zoneAt = (ms: number): { name: string; offsetSeconds: number } => {
    // The zone only changes at DST switches, on a whole minute: work it out once a minute.
    const minute = Math.floor(ms / 60_000);
    if (zoneCache?.minute !== minute) zoneCache = { minute, zone: timeZone(ms, deps.zone) };
    return zoneCache.zone;
  };
  return {
    name: 'time',
    collect() {
      const ms = now();
      let clocksources: Clocksource[] = [];
      try {
        const available = deps.reader.read(availablePath, { single: true });
        const current = deps.reader.read(currentPath, { single: true });
        clocksources = [{ device: '0', available: available.trim().split(/\s+/).filter(Boolean), current: current.trim() }];
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      return timeFamilies(ms, zoneAt(ms), clocksources);
    },
  };
}
