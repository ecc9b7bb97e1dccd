import { statfs as statfsCallback, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { Labels, MetricFamily, Sample } from '../../core/exposition';
import { splitFields } from './fields';
import type { FileReader } from './file-reader';

export interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: string;
}

/** What the filesystem collector needs of statfs(2). */
export interface FsStats {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

export type Statfs = (path: string) => Promise<FsStats>;

/** statfs(2) on the libuv threadpool: never blocks the event loop, even on a hung NFS mount. */
export const statfs: Statfs = (path) =>
  new Promise((resolve, reject) => statfsCallback(path, (err, s) => (err ? reject(err) : resolve(s))));

/**
 * statfs(2) on the event loop, for IN_MEMORY_FS_TYPES only: their kernel answers from the
 * superblock it holds in memory, without a disk or a server, in microseconds, where the threadpool
 * costs a scrape a round trip (two thread hand-offs; about 5% of a host scrape, BENCHMARKS.md).
 */
export const statfsNow: Statfs = (path) => {
  try {
    return Promise.resolve(statfsSync(path));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
};

/** Undoes the octal escapes of /proc/mounts ("\040" for a space, "\011" for a tab, ...). */
function unescapeMountField(s: string): string {
  return s.includes('\\') ? s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))) : s;
}

/** Pure: parses /proc/mounts or /proc/PID/mounts (fstab(5) format). */
export function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = splitFields(line);
    if (f.length < 4) throw new Error(`mounts: malformed line ${JSON.stringify(line)}`);
    out.push({
      device: unescapeMountField(f[0] as string),
      mountPoint: unescapeMountField(f[1] as string),
      fsType: f[2] as string,
      options: f[3] as string,
    });
  }
  return out;
}

/** node_exporter's rootfsStripPrefix: mount points as seen from the host's root filesystem. */
export function stripRootfs(mountPoint: string, rootfs: string): string {
  const root = rootfs.replace(/\/+$/, '');
  if (root === '') return mountPoint;
  if (mountPoint === root) return '/';
  return mountPoint.startsWith(`${root}/`) ? mountPoint.slice(root.length) : mountPoint;
}

export interface MountStats {
  readonly mount: Mount;
  /** undefined when statfs failed or timed out (node_filesystem_device_error 1). */
  readonly stats: FsStats | undefined;
}

/** Pure: the families for mounts and their statfs results, in node_exporter's names and order. */
export function filesystemFamilies(results: readonly MountStats[]): MetricFamily[] {
  const avail: Sample[] = [];
  const deviceError: Sample[] = [];
  const files: Sample[] = [];
  const filesFree: Sample[] = [];
  const free: Sample[] = [];
  const readonly: Sample[] = [];
  const size: Sample[] = [];
  for (const { mount, stats } of results) {
    const labels: Labels = { device: mount.device, fstype: mount.fsType, mountpoint: mount.mountPoint };
    deviceError.push({ labels, value: stats ? 0 : 1 });
    readonly.push({ labels, value: mount.options.split(',').includes('ro') ? 1 : 0 });
    if (!stats) continue;
    avail.push({ labels, value: stats.bavail * stats.bsize });
    files.push({ labels, value: stats.files });
    filesFree.push({ labels, value: stats.ffree });
    free.push({ labels, value: stats.bfree * stats.bsize });
    size.push({ labels, value: stats.blocks * stats.bsize });
  }
  const g = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
  return [
    g('node_filesystem_avail_bytes', 'Filesystem space available to non-root users in bytes.', avail),
    g('node_filesystem_device_error', 'Whether an error occurred while getting statistics for the given device.', deviceError),
    g('node_filesystem_files', 'Filesystem total file nodes.', files),
    g('node_filesystem_files_free', 'Filesystem total free file nodes.', filesFree),
    g('node_filesystem_free_bytes', 'Filesystem free space in bytes.', free),
    g('node_filesystem_readonly', 'Filesystem read-only status.', readonly),
    g('node_filesystem_size_bytes', 'Filesystem size in bytes.', size),
  ].filter((f) => f.samples.length > 0);
}

/** Pure: the mounts to report: excluded mount points and types dropped, duplicates once. */
export function selectMounts(mounts: readonly Mount[], rootfs: string, mountPointsExclude: RegExp, fsTypesExclude: RegExp): Mount[] {
  const seen = new Set<string>();
  const out: Mount[] = [];
  for (const m of mounts) {
    const mount = { ...m, mountPoint: stripRootfs(m.mountPoint, rootfs) };
    if (mountPointsExclude.test(mount.mountPoint) || fsTypesExclude.test(mount.fsType)) continue;
    const key = `${mount.device}\0${mount.mountPoint}\0${mount.fsType}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(mount);
  }
  return out;
}

/**
 * Filesystems whose statfs waits on a server (or a FUSE daemon) and can hang: these are asked
 * through `networkStatfs` when one is given, so a hang never pins a libuv threadpool thread.
 */
export const NETWORK_FS_TYPES = /^(nfs4?|cifs|smb3?|ceph|glusterfs|lustre|gpfs|beegfs|9p|afs|davfs|fuse|fuse\..+)$/;

/**
 * Filesystems whose statfs the kernel answers from counters in memory (ext4's and xfs's per-cpu
 * free counts, tmpfs's page counts): asked through `memoryStatfs`, on the event loop. Every other
 * type (btrfs, zfs, overlay, anything unknown) stays on the threadpool, network ones on a thread
 * of their own.
 */
export const IN_MEMORY_FS_TYPES = /^(ext[234]|xfs|tmpfs|ramfs|vfat)$/;

export interface FilesystemDeps {
  readonly reader: FileReader;
  readonly procfs: string;
  readonly rootfs: string;
  readonly mountPointsExclude: RegExp;
  readonly fsTypesExclude: RegExp;
  /** A statfs slower than this reports device_error 1; the mount is not asked again until it answers. */
  readonly mountTimeoutMs: number;
  readonly statfs?: Statfs;
  /** statfs for NETWORK_FS_TYPES (see isolated-statfs.ts); `statfs` when not given. */
  readonly networkStatfs?: Statfs;
  /** statfs for IN_MEMORY_FS_TYPES; `statfsNow` by default, `statfs` when only that is given (tests). */
  readonly memoryStatfs?: Statfs;
  /** Told once when a mount point stops answering, and once when it answers again. */
  readonly onStuck?: (mountPoint: string, stuck: boolean) => void;
}

/**
 * node_exporter's filesystem collector: mounts of /proc/1/mounts (or /proc/mounts), one statfs
 * each, all at once. A statfs that hangs (an unreachable NFS server) cannot be cancelled: it holds
 * a threadpool thread until the kernel gives up, so a stuck mount point is not asked again until
 * that call returns, and is reported with device_error 1 meanwhile.
 */
export function createFilesystemCollector(deps: FilesystemDeps): Collector {
  const localStatfs = deps.statfs ?? statfs;
  const networkStatfs = deps.networkStatfs ?? localStatfs;
  const memoryStatfs = deps.memoryStatfs ?? (deps.statfs ? localStatfs : statfsNow);
  const statfsFor = (fsType: string): Statfs =>
    NETWORK_FS_TYPES.test(fsType) ? networkStatfs : IN_MEMORY_FS_TYPES.test(fsType) ? memoryStatfs : localStatfs;
  const pending = new Map<string, Promise<FsStats>>();
  let mountsFile = join(deps.procfs, '1', 'mounts');
  const fallback = join(deps.procfs, 'mounts');

  const readMounts = (): string => {
    try {
      return deps.reader.read(mountsFile);
    } catch (err) {
      // /proc/1/mounts is hidden with hidepid; fall back to our own mount namespace.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || mountsFile === fallback) throw err;
      mountsFile = fallback;
      return deps.reader.read(mountsFile);
    }
  };

  /** One statfs: its answer is undefined when it fails; `stuck` once it has missed a deadline. */
  interface Call {
    readonly mountPoint: string;
    readonly answer: Promise<FsStats | undefined>;
    stuck: boolean;
  }
  /** Starts statfs for a mount point, or gives undefined when its last call is still hanging. */
  const statOne = (mount: Mount): Call | undefined => {
    const { mountPoint } = mount;
    const path = join(deps.rootfs, mountPoint);
    if (pending.has(path)) return undefined;
    const raw = statfsFor(mount.fsType)(path);
    pending.set(path, raw);
    const call: Call = {
      mountPoint,
      stuck: false,
      answer: raw.then(
        (s) => s,
        () => undefined,
      ),
    };
    void call.answer.then(() => {
      pending.delete(path);
      if (call.stuck) deps.onStuck?.(mountPoint, false);
    });
    return call;
  };

  /** The answers of the calls, each one given up (and its mount marked stuck) at the deadline. */
  const answers = async (calls: readonly (Call | undefined)[]): Promise<(FsStats | undefined)[]> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deps.mountTimeoutMs);
    });
    try {
      return await Promise.all(
        calls.map(async (call) => {
          if (!call) return undefined;
          const answer = await Promise.race([call.answer, deadline]);
          if (answer !== 'deadline') return answer;
          if (!call.stuck) {
            call.stuck = true;
            deps.onStuck?.(call.mountPoint, true);
          }
          return undefined;
        }),
      );
    } finally {
      clearTimeout(timer);
    }
  };

  // statfs of the mount points seen last scrape starts together with the read of the mounts
  // file, so a scrape waits for one round trip instead of two; mounts that are new this scrape
  // are asked afterwards, vanished ones are dropped.
  let known: readonly Mount[] = [];
  let lastText: string | undefined;
  let lastMounts: Mount[] = [];
  return {
    name: 'filesystem',
    async collect() {
      const calls = new Map<string, Call | undefined>();
      for (const mount of known) calls.set(mount.mountPoint, statOne(mount));
      let mounts: Mount[];
      try {
        const text = readMounts();
        // The mount table rarely changes: parse it again only when it does.
        if (text !== lastText) {
          lastMounts = selectMounts(parseMounts(text), deps.rootfs, deps.mountPointsExclude, deps.fsTypesExclude);
          lastText = text;
        }
        mounts = lastMounts;
      } catch (err) {
        known = [];
        throw err;
      }
      // One call per mount point, shared by mounts stacked on the same point.
      for (const m of mounts) if (!calls.has(m.mountPoint)) calls.set(m.mountPoint, statOne(m));
      const stats = await answers(mounts.map((m) => calls.get(m.mountPoint)));
      known = [...new Map(mounts.map((m) => [m.mountPoint, m] as const)).values()];
      return filesystemFamilies(mounts.map((mount, i) => ({ mount, stats: stats[i] })));
    },
  };
}
