import type { Collector } from '../../core/collector';
import type { Adjtimex } from './adjtimex';
import { createArpCollector } from './arp';
import type { CollectorName, HostConfig } from './config';
import { createConntrackCollector } from './conntrack';
import { createCpuCollector } from './cpu';
import { createDiskstatsCollector } from './diskstats';
import { createEntropyCollector } from './entropy';
import { createFilefdCollector } from './filefd';
import type { FileReader } from './file-reader';
import { createFilesystemCollector, type Statfs } from './filesystem';
import { createHwmonCollector } from './hwmon';
import { createLoadavgCollector } from './loadavg';
import { createMeminfoCollector } from './meminfo';
import { createNetclassCollector } from './netclass';
import { createNetDevCollector } from './netdev';
import { createNetstatCollector } from './netstat';
import { createPressureCollector } from './pressure';
import { createSchedstatCollector } from './schedstat';
import { createSockstatCollector } from './sockstat';
import { createSoftnetCollector } from './softnet';
import { createStatCollector } from './stat';
import { createTextfileCollector } from './textfile';
import { createTimeCollector } from './time';
import { createTimexCollector } from './timex';
import { createUnameCollector } from './uname';
import { createVmstatCollector } from './vmstat';

/** What the host collectors take from outside; tests replace statfs, the clock and the zone. */
export interface HostDeps {
  readonly reader: FileReader;
  readonly statfs?: Statfs;
  readonly networkStatfs?: Statfs;
  readonly now?: () => number;
  readonly zone?: string;
  /** The kernel page size (sockstat's memory is in pages); read from /proc/self/smaps by the part. */
  readonly pageSize?: number;
  readonly onStuckMount?: (mountPoint: string, stuck: boolean) => void;
  readonly onTextfileError?: (path: string, error: string) => void;
  /** adjtimex(2) for timex; glibc's through koffi unless a test gives fixed readings. */
  readonly adjtimex?: Adjtimex;
}

/** The enabled collectors of a host config, in the order the config lists them. */
export function createHostCollectors(cfg: HostConfig, deps: HostDeps): Collector[] {
  const { reader } = deps;
  const { procfs, sysfs, rootfs } = cfg;
  const proc = { reader, procfs };
  const factories: Record<CollectorName, () => Collector> = {
    arp: () => createArpCollector(proc),
    conntrack: () => createConntrackCollector(proc),
    cpu: () => createCpuCollector(proc),
    diskstats: () => createDiskstatsCollector({ ...proc, deviceExclude: cfg.diskstats.device_exclude }),
    entropy: () => createEntropyCollector(proc),
    filefd: () => createFilefdCollector(proc),
    filesystem: () =>
      createFilesystemCollector({
        ...proc,
        rootfs,
        mountPointsExclude: cfg.filesystem.mount_points_exclude,
        fsTypesExclude: cfg.filesystem.fs_types_exclude,
        mountTimeoutMs: cfg.filesystem.mount_timeout,
        ...(deps.statfs ? { statfs: deps.statfs } : {}),
        ...(deps.networkStatfs ? { networkStatfs: deps.networkStatfs } : {}),
        ...(deps.onStuckMount ? { onStuck: deps.onStuckMount } : {}),
      }),
    hwmon: () => createHwmonCollector({ reader, sysfs }),
    loadavg: () => createLoadavgCollector(proc),
    meminfo: () => createMeminfoCollector(proc),
    netclass: () => createNetclassCollector({ reader, sysfs, deviceExclude: cfg.netclass.device_exclude }),
    netdev: () => createNetDevCollector({ ...proc, sysfs, deviceExclude: cfg.netdev.device_exclude }),
    netstat: () => createNetstatCollector({ ...proc, fields: cfg.netstat.fields }),
    pressure: () => createPressureCollector(proc),
    schedstat: () => createSchedstatCollector(proc),
    sockstat: () => createSockstatCollector({ ...proc, pageSize: deps.pageSize ?? 4096 }),
    softnet: () => createSoftnetCollector(proc),
    stat: () => createStatCollector(proc),
    textfile: () =>
      createTextfileCollector({ directory: cfg.textfile.directory, ...(deps.onTextfileError ? { onFileError: deps.onTextfileError } : {}) }),
    time: () =>
      createTimeCollector({ reader, sysfs, ...(deps.now ? { now: deps.now } : {}), ...(deps.zone ? { zone: deps.zone } : {}) }),
    timex: () => createTimexCollector({ rootfs, ...(deps.adjtimex ? { adjtimex: deps.adjtimex } : {}) }),
    uname: () => createUnameCollector(proc),
    vmstat: () => createVmstatCollector({ ...proc, fields: cfg.vmstat.fields }),
  };
  return cfg.collectors.map((name) => factories[name]());
}
