import { z } from 'zod';
import { duration } from '../../core/duration';
import { DEFAULT_PROCFS } from '../../core/procfs';

/** Every host collector, in the order they are listed on the landing page and in the docs. */
export const COLLECTOR_NAMES = [
  'arp',
  'conntrack',
  'cpu',
  'diskstats',
  'entropy',
  'filefd',
  'filesystem',
  'hwmon',
  'loadavg',
  'meminfo',
  'netclass',
  'netdev',
  'netstat',
  'pressure',
  'schedstat',
  'sockstat',
  'softnet',
  'stat',
  'textfile',
  'time',
  'timex',
  'uname',
  'vmstat',
] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];

/** node_exporter's defaults (collector/filesystem_linux.go, collector/diskstats_linux.go). */
export const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';
export const DEFAULT_DISK_DEVICE_EXCLUDE = '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';
/** node_exporter 1.5's --collector.vmstat.fields and --collector.netstat.fields. */
export const DEFAULT_VMSTAT_FIELDS = '^(oom_kill|pgpg|pswp|pg.*fault).*';
export const DEFAULT_NETSTAT_FIELDS =
  '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$';

/** A regular expression given as a string (RE2-like syntax as in node_exporter's flags). */
const regex = z.string().transform((v, ctx) => {
  try {
    return new RegExp(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `expected a regular expression, got ${JSON.stringify(v)} (${(err as Error).message})` });
    return z.NEVER;
  }
});

const positiveDuration = duration.refine((ms) => ms > 0, { message: 'expected a duration greater than zero' });

const path = z.string().min(1, { message: 'expected a non-empty path' });

/** The host exporter's section of vigil.yml: node_exporter's core collectors. */
export const hostConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Where procfs, sysfs and the root filesystem are mounted (e.g. /host/proc in a container). */
    procfs: path.default(DEFAULT_PROCFS),
    sysfs: path.default('/sys'),
    rootfs: path.default('/'),
    /** A collector that has not answered by then counts as failed for this scrape. */
    collector_timeout: positiveDuration.default(5000),
    collectors: z
      .array(z.enum(COLLECTOR_NAMES))
      .refine((names) => new Set(names).size === names.length, { message: 'expected each collector at most once' })
      .default([...COLLECTOR_NAMES]),
    filesystem: z
      .strictObject({
        mount_points_exclude: regex.default(new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE)),
        fs_types_exclude: regex.default(new RegExp(DEFAULT_FS_TYPES_EXCLUDE)),
        /**
         * statfs() slower than this reports node_filesystem_device_error 1 (a hung NFS mount).
         * Default: 2 s, or half of collector_timeout when that is shorter than 4 s.
         */
        mount_timeout: positiveDuration.optional(),
      })
      .prefault({}),
    netdev: z.strictObject({ device_exclude: regex.optional() }).prefault({}),
    diskstats: z.strictObject({ device_exclude: regex.default(new RegExp(DEFAULT_DISK_DEVICE_EXCLUDE)) }).prefault({}),
    netclass: z.strictObject({ device_exclude: regex.optional() }).prefault({}),
    vmstat: z.strictObject({ fields: regex.default(new RegExp(DEFAULT_VMSTAT_FIELDS)) }).prefault({}),
    netstat: z.strictObject({ fields: regex.default(new RegExp(DEFAULT_NETSTAT_FIELDS)) }).prefault({}),
    /** A directory of *.prom files, as node_exporter's --collector.textfile.directory; none by default. */
    textfile: z.strictObject({ directory: path.optional() }).prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const mountTimeout = cfg.filesystem.mount_timeout;
    if (cfg.collector_timeout > 0 && mountTimeout !== undefined && mountTimeout >= cfg.collector_timeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['filesystem', 'mount_timeout'],
        message: `expected a duration shorter than host.collector_timeout (${cfg.collector_timeout} ms), got ${mountTimeout} ms`,
      });
    }
  })
  .transform((cfg) => ({
    ...cfg,
    filesystem: { ...cfg.filesystem, mount_timeout: cfg.filesystem.mount_timeout ?? Math.min(2000, cfg.collector_timeout / 2) },
  }));

export type HostConfig = z.output<typeof hostConfigSchema>;
