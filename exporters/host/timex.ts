import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import { exists } from './read-optional';

/**
 * Linux's tick length as adjtimex(2) reports it: USER_TICK_USEC, 1/USER_HZ seconds (USER_HZ is
 * 100 on every architecture Linux supports). Only adjtimex(ADJ_TICK) changes it, which NTP
 * daemons do not do.
 */
export const TICK_SECONDS = 0.01;

/** What the kernel's clock discipline looks like from files; undefined where no file tells. */
export interface TimexState {
  /** From systemd-timesyncd's flag file: 1 synchronised, 0 not yet; undefined without timesyncd. */
  readonly syncStatus?: number;
}

/** Pure: the timex families Vigil can derive without adjtimex(2) (see README: what differs and why). */
export function timexFamilies(s: TimexState): MetricFamily[] {
  const out: MetricFamily[] = [{ name: 'node_timex_tick_seconds', help: 'Seconds between clock ticks.', type: 'gauge', samples: [{ value: TICK_SECONDS }] }];
  if (s.syncStatus !== undefined) {
    out.push({
      name: 'node_timex_sync_status',
      help: 'Is clock synchronized to a reliable server (1 = yes, 0 = no).',
      type: 'gauge',
      samples: [{ value: s.syncStatus }],
    });
  }
  return out;
}

/**
 * node_exporter's timex collector, as far as files tell: Node cannot call adjtimex(2), and the
 * kernel exposes its NTP state (offset, frequency, max/estimated error, status, PLL constant,
 * TAI offset, PPS) nowhere in procfs or sysfs. The sync status comes from systemd-timesyncd's
 * /run/systemd/timesync/synchronized (touched when the kernel clock was synchronised) where
 * timesyncd runs; elsewhere it is left out rather than guessed.
 */
export function createTimexCollector(deps: { readonly rootfs: string }): Collector {
  const dir = join(deps.rootfs, 'run', 'systemd', 'timesync');
  const flag = join(dir, 'synchronized');
  return {
    name: 'timex',
    collect() {
      if (!exists(dir)) return timexFamilies({});
      return timexFamilies({ syncStatus: exists(flag) ? 1 : 0 });
    },
  };
}
