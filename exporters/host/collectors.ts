import type { Collector } from '../../core/collector';
import type { CollectorName, HostConfig } from './config';
import { createCpuCollector } from './cpu';
import { createDiskstatsCollector } from './diskstats';
import type { FileReader } from './file-reader';
import { createFilesystemCollector, type Statfs } from './filesystem';
import { createLoadavgCollector } from './loadavg';
import { createMeminfoCollector } from './meminfo';
import { createNetDevCollector } from './netdev';
import { createStatCollector } from './stat';
import { createTimeCollector } from './time';
import { createUnameCollector } from './uname';

/** What the host collectors take from outside; tests replace statfs, the clock and the zone. */
export interface HostDeps {
  readonly reader: FileReader;
  readonly statfs?: Statfs;
  readonly networkStatfs?: Statfs;
  readonly now?: () => number;
  readonly zone?: string;
  readonly onStuckMount?: (mountPoint: string, stuck: boolean) => void;
}

/** The enabled collectors of a host config, in the order the config lists them. */
export function createHostCollectors(cfg: HostConfig, deps: HostDeps): Collector[] {
  const { reader } = deps;
  const { procfs, sysfs, rootfs } = cfg;
  const factories: Record<CollectorName, () => Collector> = {
    cpu: () => createCpuCollector({ reader, procfs }),
    diskstats: () => createDiskstatsCollector({ reader, procfs, deviceExclude: cfg.diskstats.device_exclude }),
    filesystem: () =>
      createFilesystemCollector({
        reader,
        procfs,
        rootfs,
        mountPointsExclude: cfg.filesystem.mount_points_exclude,
        fsTypesExclude: cfg.filesystem.fs_types_exclude,
        mountTimeoutMs: cfg.filesystem.mount_timeout,
        ...(deps.statfs ? { statfs: deps.statfs } : {}),
        ...(deps.networkStatfs ? { networkStatfs: deps.networkStatfs } : {}),
        ...(deps.onStuckMount ? { onStuck: deps.onStuckMount } : {}),
      }),
    loadavg: () => createLoadavgCollector({ reader, procfs }),
    meminfo: () => createMeminfoCollector({ reader, procfs }),
    netdev: () => createNetDevCollector({ reader, procfs, deviceExclude: cfg.netdev.device_exclude }),
    stat: () => createStatCollector({ reader, procfs }),
    time: () =>
      createTimeCollector({ reader, sysfs, ...(deps.now ? { now: deps.now } : {}), ...(deps.zone ? { zone: deps.zone } : {}) }),
    uname: () => createUnameCollector({ reader, procfs }),
  };
  return cfg.collectors.map((name) => factories[name]());
}
