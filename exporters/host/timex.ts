import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import { byName, type MetricFamily } from '../../core/exposition';
import { adjtimex as systemAdjtimex, type Adjtimex, type AdjtimexReading } from './adjtimex';
import { HOST_COLLECTOR_FAMILIES } from './families';
import { exists } from './read-optional';

const F = byName(HOST_COLLECTOR_FAMILIES);

/** adjtimex's return value when the clock is not synchronised (TIME_ERROR). */
export const TIME_ERROR = 5;
/** The status bit saying offset and jitter are in nanoseconds rather than microseconds. */
export const STA_NANO = 0x2000;
/** Frequencies are in ppm with a 16-bit fraction (adjtimex(2), NOTES). */
const PPM16FRAC = 1_000_000 * 65_536;
const MICRO = 1e6;
const NANO = 1e9;

type TimexFamilyName = Extract<keyof typeof F, `node_timex_${string}`>;

function family(name: TimexFamilyName, value: number): MetricFamily {
  const d = F[name];
  return { name: d.name, help: d.help, type: d.type, samples: [{ value }] };
}

/**
 * Pure: node_exporter 1.5's timex families from one adjtimex(modes 0) answer, in its order and
 * with its arithmetic (collector/timex.go): offset and PPS jitter in ns or µs as STA_NANO says,
 * max/estimated error and tick in µs, frequencies in ppm << 16, sync status 0 for TIME_ERROR.
 */
export function adjtimexFamilies(r: AdjtimexReading): MetricFamily[] {
  const t = r.timex;
  const divisor = (t.status & STA_NANO) !== 0 ? NANO : MICRO;
  return [
    family('node_timex_sync_status', r.state === TIME_ERROR ? 0 : 1),
    family('node_timex_offset_seconds', t.offset / divisor),
    family('node_timex_frequency_adjustment_ratio', 1 + t.freq / PPM16FRAC),
    family('node_timex_maxerror_seconds', t.maxerror / MICRO),
    family('node_timex_estimated_error_seconds', t.esterror / MICRO),
    family('node_timex_status', t.status),
    family('node_timex_loop_time_constant', t.constant),
    family('node_timex_tick_seconds', t.tick / MICRO),
    family('node_timex_pps_frequency_hertz', t.ppsfreq / PPM16FRAC),
    family('node_timex_pps_jitter_seconds', t.jitter / divisor),
    family('node_timex_pps_shift_seconds', t.shift),
    family('node_timex_pps_stability_hertz', t.stabil / PPM16FRAC),
    family('node_timex_pps_jitter_total', t.jitcnt),
    family('node_timex_pps_calibration_total', t.calcnt),
    family('node_timex_pps_error_total', t.errcnt),
    family('node_timex_pps_stability_exceeded_total', t.stbcnt),
    family('node_timex_tai_offset_seconds', t.tai),
  ];
}

/**
 * Linux's tick length as adjtimex(2) reports it by default: USER_TICK_USEC, 1/USER_HZ seconds
 * (USER_HZ is 100 on every architecture Linux supports). Only adjtimex(ADJ_TICK) changes it,
 * which NTP daemons do not do. Used where adjtimex cannot be called.
 */
export const TICK_SECONDS = 0.01;

/** The fallback's view of the clock discipline, from files; undefined where no file tells. */
export interface TimexState {
  /** From systemd-timesyncd's flag file: 1 synchronised, 0 not yet; undefined without timesyncd. */
  readonly syncStatus?: number;
}

/** Pure: the timex families the fallback derives without adjtimex(2) (README: "timex"). */
export function fallbackTimexFamilies(s: TimexState): MetricFamily[] {
  const out: MetricFamily[] = [family('node_timex_tick_seconds', TICK_SECONDS)];
  if (s.syncStatus !== undefined) out.push(family('node_timex_sync_status', s.syncStatus));
  return out;
}

/**
 * node_exporter's timex collector. With adjtimex(2) (glibc through koffi, modes 0: read-only)
 * every family, as node_exporter; a call refused with EPERM (a seccomp profile) yields no
 * families, as node_exporter's "no data", and any other failure fails the collector.
 * Where the binding cannot be loaded (no koffi binary for the platform, no glibc), the fallback:
 * the tick and, where systemd-timesyncd runs, the sync status from
 * /run/systemd/timesync/synchronized (touched when it has synchronised the kernel clock).
 */
export function createTimexCollector(deps: { readonly rootfs: string; readonly adjtimex?: Adjtimex }): Collector {
  const call = deps.adjtimex ?? systemAdjtimex;
  const dir = join(deps.rootfs, 'run', 'systemd', 'timesync');
  const flag = join(dir, 'synchronized');
  return {
    name: 'timex',
    collect() {
      let reading: AdjtimexReading | undefined;
      try {
        reading = call();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EPERM') return [];
        throw new Error(`failed to retrieve adjtimex stats: ${(err as Error).message}`, { cause: err });
      }
      if (reading) return adjtimexFamilies(reading);
      if (!exists(dir)) return fallbackTimexFamilies({});
      return fallbackTimexFamilies({ syncStatus: exists(flag) ? 1 : 0 });
    },
  };
}
