import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../bin/parts';
import type { AdjtimexReading } from '../../../exporters/host/adjtimex';
import type { HostConfig } from '../../../exporters/host/config';
import type { FsStats, Statfs } from '../../../exporters/host/filesystem';

/** test/fixtures/host: a /proc and /sys trees copied from a real machine, trimmed. */
export const FIXTURES = resolve(fileURLToPath(new URL('../../fixtures/host', import.meta.url)));
export const PROCFS = join(FIXTURES, 'proc');
export const SYSFS = join(FIXTURES, 'sys');
export const ROOTFS = join(FIXTURES, 'rootfs');
export const GOLDEN = join(FIXTURES, 'golden');
/** *.prom files for the textfile collector (one with a client-side timestamp, which is refused). */
export const TEXTFILE = join(FIXTURES, 'textfile');

/** The fixed clock of the golden files: 2026-01-15T12:00:00.250Z. */
export const FIXED_NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 250);

/** A host config pointed at the fixtures, as a user would write it in vigil.yml. */
export function fixtureConfig(extra = ''): HostConfig {
  const yaml = `host:\n  procfs: ${JSON.stringify(PROCFS)}\n  sysfs: ${JSON.stringify(SYSFS)}\n  rootfs: ${JSON.stringify(ROOTFS)}\n${extra}`;
  return parseConfig(yaml, 'vigil.yml', {}).host;
}

/**
 * statfs for the golden files: fixed figures per mount point below the fixture rootfs; the NFS
 * mount hangs (never answers) and any other path fails like a missing directory.
 */
export function fixtureStatfs(calls: string[] = []): Statfs {
  const byMount: Record<string, FsStats> = {
    '/': { bsize: 4096, blocks: 66053021, bfree: 59913607, bavail: 56537447, files: 16777216, ffree: 16328382 },
    '/boot': { bsize: 1024, blocks: 1011672, bfree: 801200, bavail: 748976, files: 65536, ffree: 65190 },
    '/run': { bsize: 4096, blocks: 617102, bfree: 616800, bavail: 616800, files: 3085510, ffree: 3084702 },
    '/mnt/backup disk': { bsize: 4096, blocks: 488378368, bfree: 122094592, bavail: 122094592, files: 195360512, ffree: 195301201 },
    '/mnt/sandboxing/model_tools_env/v1/python': { bsize: 4096, blocks: 1, bfree: 1, bavail: 1, files: 3085510, ffree: 3085509 },
  };
  return (path) => {
    calls.push(path);
    if (path === join(ROOTFS, 'mnt/nfs')) return new Promise<FsStats>(() => undefined);
    for (const [mount, stats] of Object.entries(byMount)) {
      if (path === join(ROOTFS, mount)) return Promise.resolve(stats);
    }
    return Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, statfs '${path}'`), { code: 'ENOENT' }));
  };
}

/**
 * adjtimex(modes 0) for the golden files: a chrony-disciplined clock (TIME_OK, STA_PLL | STA_NANO,
 * TAI offset 37) with a PPS source, so that every timex family has a value of its own.
 */
export const FIXTURE_ADJTIMEX: AdjtimexReading = {
  state: 0,
  timex: {
    offset: -123456,
    freq: -1234567,
    maxerror: 1500,
    esterror: 250,
    status: 0x2001,
    constant: 6,
    precision: 1,
    tolerance: 32768000,
    tick: 10000,
    ppsfreq: 65536,
    jitter: 2000,
    shift: 8,
    stabil: 131072,
    jitcnt: 1,
    calcnt: 12,
    errcnt: 2,
    stbcnt: 3,
    tai: 37,
  },
};
