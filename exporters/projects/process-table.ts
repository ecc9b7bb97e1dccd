import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { DEFAULT_PROCFS, USER_HZ } from '../../core/procfs';

export interface ProcessInfo {
  readonly pid: number;
  /** /proc/PID/comm (at most 15 characters). */
  readonly comm: string;
  /** Arguments joined by spaces; "" for kernel threads. */
  readonly cmdline: string;
  readonly cpuSeconds: number;
}

/**
 * Parses /proc/PID/stat. The command sits in parentheses and may itself hold spaces and ")",
 * so fields are counted from the last ")".
 */
export function parseStat(text: string): { comm: string; cpuSeconds: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { comm: text.slice(open + 1, close), cpuSeconds: (utime + stime) / USER_HZ };
}

/** VmRSS of /proc/PID/status in bytes (0 for kernel threads, which have none). */
export function parseStatusRss(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface ProcessTable {
  /** Every process, read at most once per `maxAgeMs`; concurrent callers share one read. */
  list(maxAgeMs: number): Promise<readonly ProcessInfo[]>;
  /** One process by pid, read now; undefined when it is not running. */
  get(pid: number): Promise<ProcessInfo | undefined>;
  residentBytes(pid: number): Promise<number>;
}

/**
 * Reads processes straight from procfs (no `ps`, no child process), in the background of the
 * check cycle: a scrape never reaches here. `root` is read on every use: host.procfs may change on reload.
 */
export function createProcessTable(root: () => string = () => DEFAULT_PROCFS): ProcessTable {
  let cached: { at: number; root: string; list: Promise<readonly ProcessInfo[]> } | undefined;

  const read = async (pid: number): Promise<ProcessInfo | undefined> => {
    try {
      const stat = parseStat(await readFile(join(root(), String(pid), 'stat'), 'utf8'));
      if (!stat) return undefined;
      const raw = await readFile(join(root(), String(pid), 'cmdline'), 'utf8').catch(() => '');
      return { pid, comm: stat.comm, cmdline: raw.replace(/\0+$/, '').replaceAll('\0', ' '), cpuSeconds: stat.cpuSeconds };
    } catch {
      return undefined; // exited between readdir and read, or not ours to read
    }
  };

  const readAll = async (): Promise<readonly ProcessInfo[]> => {
    const pids = (await readdir(root())).filter((n) => /^\d+$/.test(n)).map(Number);
    const out: ProcessInfo[] = [];
    for (const pid of pids) {
      const info = await read(pid);
      if (info) out.push(info);
    }
    return out;
  };

  return {
    list(maxAgeMs) {
      const now = performance.now();
      if (!cached || now - cached.at > maxAgeMs || cached.root !== root()) {
        const list = readAll();
        cached = { at: now, root: root(), list };
        list.catch(() => {
          if (cached?.list === list) cached = undefined;
        });
      }
      return cached.list;
    },
    get: read,
    async residentBytes(pid) {
      try {
        return parseStatusRss(await readFile(join(root(), String(pid), 'status'), 'utf8'));
      } catch {
        return 0;
      }
    },
  };
}

/** True when a process matches a `process_name`: its comm or the base name of its argv[0]. */
export function matchesName(p: ProcessInfo, name: string): boolean {
  if (p.comm === name) return true;
  const argv0 = p.cmdline.split(' ', 1)[0] ?? '';
  return argv0 !== '' && basename(argv0) === name;
}
