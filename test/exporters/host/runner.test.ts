import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import winston from 'winston';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { collectText, type Collector } from '../../../core/collector';
import { parseConfig } from '../../../bin/parts';
import { createLogger } from '../../../core/logger';
import { createHostCollectors } from '../../../exporters/host/collectors';
import { createHostPart } from '../../../exporters/host/part';
import { createFilesystemCollector, type FsStats, type Statfs } from '../../../exporters/host/filesystem';
import { createFileReader } from '../../../exporters/host/file-reader';
import { FIXED_NOW, PROCFS, ROOTFS, fixtureConfig, fixtureStatfs } from './fixtures';

const reader = createFileReader();
after(() => reader.close());

const sample = (text: string, name: string, collector: string): number | undefined => {
  const m = new RegExp(`^${name}\\{collector="${collector}"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

describe('host collectors under the runner', () => {
  test('a failing and a hanging collector report success 0 while the others still render', async () => {
    const cfg = fixtureConfig('  collectors: [cpu, loadavg, uname]\n');
    const collectors: Collector[] = [
      ...createHostCollectors(cfg, { reader, statfs: fixtureStatfs(), now: () => FIXED_NOW }),
      { name: 'broken', collect: () => Promise.reject(new Error('boom')) },
      { name: 'hanging', collect: () => new Promise(() => undefined) },
    ];
    const errors: string[] = [];
    const timeoutMs = 200;
    const started = Date.now();
    const text = await collectText(collectors, { timeoutMs, onError: (c, e) => errors.push(`${c}: ${e.message}`) });
    const elapsed = Date.now() - started;

    assert.match(text, /^node_cpu_seconds_total\{cpu="0",mode="user"\} 231\.06$/m);
    assert.match(text, /^node_load1 2\.35$/m);
    assert.match(text, /^node_uname_info\{.*nodename="vm".*\} 1$/m);
    for (const ok of ['cpu', 'loadavg', 'uname']) assert.equal(sample(text, 'vigil_collector_success', ok), 1, ok);
    assert.equal(sample(text, 'vigil_collector_success', 'broken'), 0);
    assert.equal(sample(text, 'vigil_collector_success', 'hanging'), 0);
    assert.deepEqual(errors.sort(), ['broken: boom', `hanging: collector hanging timed out after ${timeoutMs} ms`]);
    // The hang costs its timeout and no more: the scrape ends well before a second timeout would.
    const hangSeconds = sample(text, 'vigil_collector_duration_seconds', 'hanging') ?? 0;
    assert.ok(hangSeconds >= timeoutMs / 1000 - 0.01, `hanging collector took ${hangSeconds} s`);
    assert.ok(elapsed < 10 * timeoutMs, `scrape took ${elapsed} ms with a ${timeoutMs} ms timeout`);
  });

  test('a missing file fails only its collector, with the reason', async () => {
    const cfg = fixtureConfig(`  collectors: [loadavg, meminfo]\n`);
    const collectors = createHostCollectors({ ...cfg, procfs: `${PROCFS}-missing` }, { reader });
    const errors: string[] = [];
    const text = await collectText([...collectors, ...createHostCollectors(fixtureConfig('  collectors: [stat]\n'), { reader })], {
      timeoutMs: 2000,
      onError: (c, e) => errors.push(`${c}: ${(e as NodeJS.ErrnoException).code}`),
    });
    assert.equal(sample(text, 'vigil_collector_success', 'loadavg'), 0);
    assert.equal(sample(text, 'vigil_collector_success', 'meminfo'), 0);
    assert.equal(sample(text, 'vigil_collector_success', 'stat'), 1);
    assert.match(text, /^node_boot_time_seconds 1795498967$/m);
    assert.deepEqual(errors.sort(), ['loadavg: ENOENT', 'meminfo: ENOENT']);
  });

  test('a stuck mount reports device_error 1, is not asked again until it answers, then recovers', async () => {
    const cfg = fixtureConfig();
    let release: ((s: FsStats) => void) | undefined;
    const calls: string[] = [];
    const stuckEvents: string[] = [];
    const nfs = `${ROOTFS}/mnt/nfs`;
    const good = fixtureStatfs();
    const fs = createFilesystemCollector({
      reader,
      procfs: PROCFS,
      rootfs: ROOTFS,
      mountPointsExclude: cfg.filesystem.mount_points_exclude,
      fsTypesExclude: cfg.filesystem.fs_types_exclude,
      mountTimeoutMs: 50,
      statfs: (path) => {
        calls.push(path);
        // The NFS server hangs the first statfs; once that returns, it answers at once.
        if (path === nfs && !release) return new Promise<FsStats>((resolve) => (release = resolve));
        if (path === nfs) return Promise.resolve({ bsize: 4096, blocks: 100, bfree: 50, bavail: 40, files: 10, ffree: 5 });
        return good(path);
      },
      onStuck: (mp, stuck) => stuckEvents.push(`${mp} ${stuck ? 'stuck' : 'recovered'}`),
    });
    const nfsError = async (): Promise<number | undefined> => {
      const fams = await fs.collect(new AbortController().signal);
      const s = fams.find((f) => f.name === 'node_filesystem_device_error')?.samples.find((x) => x.labels?.mountpoint === '/mnt/nfs');
      const root = fams.find((f) => f.name === 'node_filesystem_size_bytes')?.samples.find((x) => x.labels?.mountpoint === '/');
      assert.equal(root?.value, 66053021 * 4096, 'the other mounts are still reported');
      return s?.value;
    };

    assert.equal(await nfsError(), 1);
    assert.equal(await nfsError(), 1);
    assert.equal(calls.filter((p) => p === nfs).length, 1, 'a stuck mount is not asked again while its statfs hangs');
    assert.deepEqual(stuckEvents, ['/mnt/nfs stuck']);

    release?.({ bsize: 4096, blocks: 100, bfree: 50, bavail: 40, files: 10, ffree: 5 });
    await new Promise((r) => setImmediate(r));
    assert.equal(await nfsError(), 0);
    assert.equal(calls.filter((p) => p === nfs).length, 2);
    assert.deepEqual(stuckEvents, ['/mnt/nfs stuck', '/mnt/nfs recovered']);
  });

  test('each mount is asked by its type: ext4, xfs and tmpfs on the event loop, nfs4 on its thread, the rest on the threadpool', async () => {
    const good = fixtureStatfs();
    const asked: Record<string, string[]> = { memory: [], network: [], pool: [] };
    const spy =
      (tier: string): Statfs =>
      (path) => {
        asked[tier]?.push(path.slice(ROOTFS.length) || '/');
        return good(path);
      };
    const fs = createFilesystemCollector({
      reader,
      procfs: PROCFS,
      rootfs: ROOTFS,
      mountPointsExclude: /^$/,
      fsTypesExclude: /^(proc|sysfs|devtmpfs|devpts|cgroup2?|binfmt_misc)$/,
      mountTimeoutMs: 50,
      statfs: spy('pool'),
      networkStatfs: spy('network'),
      memoryStatfs: spy('memory'),
    });
    await fs.collect(new AbortController().signal);
    assert.deepEqual(
      Object.fromEntries(Object.entries(asked).map(([k, v]) => [k, v.sort()])),
      {
        memory: ['/', '/boot', '/dev/shm', '/mnt/backup disk', '/mnt/sandboxing/model_tools_env/v1/python', '/run', '/run/credentials/systemd-journald.service', '/sys/fs/cgroup'],
        network: ['/mnt/nfs'],
        pool: ['/var/lib/docker/overlay2/4f1c2b/merged'],
      },
    );
  });

  test('cpu counters that go backwards between scrapes are held at their previous value', async () => {
    const texts = ['cpu0 100 0 50 1000 70 0 0 0 0 0\n', 'cpu0 110 0 55 1010 60 0 0 0 0 0\n'];
    let i = 0;
    const fake = { read: () => texts[Math.min(i++, 1)] as string, close: () => Promise.resolve(), forget: () => undefined };
    const [cpu] = createHostCollectors(fixtureConfig('  collectors: [cpu]\n'), { reader: fake });
    assert.ok(cpu);
    const iowait = async (): Promise<number | undefined> =>
      (await cpu.collect(new AbortController().signal))
        .find((f) => f.name === 'node_cpu_seconds_total')
        ?.samples.find((s) => s.labels?.mode === 'iowait')?.value;
    assert.equal(await iowait(), 0.7);
    assert.equal(await iowait(), 0.7);
  });

  test('scrapes that arrive during a collection share it; the next scrape reads afresh', async () => {
    const reads: string[] = [];
    let loadavg = '0.50 0.40 0.30 1/88 7357\n';
    const fake = {
      read: (path: string) => {
        reads.push(path);
        return loadavg;
      },
      close: () => Promise.resolve(),
      forget: () => undefined,
    };
    const config = parseConfig(`host:\n  procfs: /fixture/proc\n  collectors: [loadavg]\n`, 'vigil.yml', {}).host;
    const part = createHostPart(config, { logger: createLogger({ level: 'error', silent: true }), dataDir: '/tmp', env: {}, now: Date.now }, { reader: fake });
    const [a, b] = await Promise.all([part.metrics(), part.metrics()]);
    assert.equal(a, b);
    assert.match(a, /^node_load1 0\.5$/m);
    assert.deepEqual(reads, ['/fixture/proc/loadavg']);
    loadavg = '1.50 0.40 0.30 1/88 7357\n';
    assert.match(await part.metrics(), /^node_load1 1\.5$/m);
    assert.equal(reads.length, 2);
    await part.stop();
  });

  test('a reload that leaves the host section as it was keeps collector state; a changed one starts afresh', async () => {
    const stats = ['cpu0 100 0 50 1000 70 0 0 0 0 0\n', 'cpu0 110 0 55 1010 60 0 0 0 0 0\n', 'cpu0 120 0 60 1020 50 0 0 0 0 0\n'];
    let i = 0;
    const fake = { read: () => stats[i++] as string, close: () => Promise.resolve(), forget: () => undefined };
    const yaml = (timeout: string): string => `host:\n  procfs: /fixture/proc\n  collectors: [cpu]\n  collector_timeout: ${timeout}\n`;
    const part = createHostPart(
      parseConfig(yaml('5s'), 'vigil.yml', {}).host,
      { logger: createLogger({ level: 'error', silent: true }), dataDir: '/tmp', env: {}, now: Date.now },
      { reader: fake },
    );
    const iowait = async (): Promise<string | undefined> => /^node_cpu_seconds_total\{cpu="0",mode="iowait"\} (\S+)$/m.exec(await part.metrics())?.[1];
    assert.equal(await iowait(), '0.7');
    await part.reload(parseConfig(yaml('5s'), 'vigil.yml', {}).host);
    assert.equal(await iowait(), '0.7', 'the counter that went backwards is still held after a no-op reload');
    await part.reload(parseConfig(yaml('4s'), 'vigil.yml', {}).host);
    assert.equal(await iowait(), '0.5', 'new collectors after a real change have no history');
    await part.stop();
  });

  test('without /proc/1/mounts (hidepid) the filesystem collector falls back to /proc/mounts', async () => {
    const procfs = await mkdtemp(join(tmpdir(), 'vigil-procfs-'));
    try {
      await copyFile(join(PROCFS, '1', 'mounts'), join(procfs, 'mounts'));
      const cfg = fixtureConfig();
      const fs = createFilesystemCollector({
        reader,
        procfs,
        rootfs: ROOTFS,
        mountPointsExclude: cfg.filesystem.mount_points_exclude,
        fsTypesExclude: cfg.filesystem.fs_types_exclude,
        mountTimeoutMs: 50,
        statfs: fixtureStatfs(),
      });
      const fams = await fs.collect(new AbortController().signal);
      const mountpoints = fams.find((f) => f.name === 'node_filesystem_device_error')?.samples.map((x) => x.labels?.mountpoint);
      assert.deepEqual(mountpoints, ['/', '/mnt/sandboxing/model_tools_env/v1/python', '/run', '/boot', '/mnt/backup disk', '/mnt/nfs']);
      // Neither file: the collector fails with the reason.
      const empty = join(procfs, 'empty');
      await mkdir(empty);
      const none = createFilesystemCollector({ reader, procfs: empty, rootfs: ROOTFS, mountTimeoutMs: 50, mountPointsExclude: /^$/, fsTypesExclude: /^$/ });
      await assert.rejects(async () => none.collect(new AbortController().signal), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    } finally {
      await rm(procfs, { recursive: true, force: true });
    }
  });

  test('a collector that keeps failing is logged once, with ECS fields, and once when it recovers', async () => {
    const records: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ level: 'info', silent: true, transports: [new winston.transports.Stream({ stream })] });
    let failures = 3;
    const fake = {
      read: () => {
        if (failures-- > 0) throw Object.assign(new Error("ENOENT: no such file or directory, open '/fixture/proc/loadavg'"), { code: 'ENOENT' });
        return '0.50 0.40 0.30 1/88 7357\n';
      },
      close: () => Promise.resolve(),
      forget: () => undefined,
    };
    const config = parseConfig('host:\n  procfs: /fixture/proc\n  collectors: [loadavg]\n', 'vigil.yml', {}).host;
    const part = createHostPart(config, { logger, dataDir: '/tmp', env: {}, now: Date.now }, { reader: fake });
    for (let i = 0; i < 4; i++) await part.metrics();
    await part.stop();
    const events = records.map((r) => [(r.event as { action?: string }).action, (r.vigil as { collector?: string }).collector, r['log.level']]);
    assert.deepEqual(events, [
      ['collector-failed', 'loadavg', 'warn'],
      ['collector-recovered', 'loadavg', 'info'],
    ]);
    assert.equal((records[0]?.error as { message?: string }).message, "ENOENT: no such file or directory, open '/fixture/proc/loadavg'");
  });

  test('mounts stacked on one mount point (rootfs under /) share one statfs and both report', async () => {
    const procfs = await mkdtemp(join(tmpdir(), 'vigil-procfs-'));
    try {
      await mkdir(join(procfs, '1'));
      await writeFile(join(procfs, '1', 'mounts'), 'rootfs / rootfs rw 0 0\n/dev/vda / ext4 rw,relatime 0 0\n');
      const calls: string[] = [];
      const cfg = fixtureConfig();
      const fs = createFilesystemCollector({
        reader,
        procfs,
        rootfs: ROOTFS,
        mountPointsExclude: cfg.filesystem.mount_points_exclude,
        fsTypesExclude: cfg.filesystem.fs_types_exclude,
        mountTimeoutMs: 50,
        statfs: fixtureStatfs(calls),
      });
      for (let i = 0; i < 2; i++) {
        const fams = await fs.collect(new AbortController().signal);
        const errors = fams.find((f) => f.name === 'node_filesystem_device_error')?.samples.map((x) => `${x.labels?.device}=${x.value}`);
        assert.deepEqual(errors, ['rootfs=0', '/dev/vda=0']);
      }
      assert.deepEqual(calls, [join(ROOTFS, '/'), join(ROOTFS, '/')], 'one statfs per scrape');
    } finally {
      await rm(procfs, { recursive: true, force: true });
    }
  });

  test('network filesystems are asked through networkStatfs, local ones through statfs', async () => {
    const local: string[] = [];
    const network: string[] = [];
    const cfg = fixtureConfig();
    const stats = fixtureStatfs();
    const fs = createFilesystemCollector({
      reader,
      procfs: PROCFS,
      rootfs: ROOTFS,
      mountPointsExclude: cfg.filesystem.mount_points_exclude,
      fsTypesExclude: cfg.filesystem.fs_types_exclude,
      mountTimeoutMs: 50,
      statfs: (p) => (local.push(p), stats(p)),
      networkStatfs: (p) => (network.push(p), Promise.resolve({ bsize: 4096, blocks: 10, bfree: 5, bavail: 5, files: 1, ffree: 1 })),
    });
    const fams = await fs.collect(new AbortController().signal);
    assert.deepEqual(network, [join(ROOTFS, '/mnt/nfs')]);
    assert.equal(local.length, 5);
    assert.ok(!local.includes(join(ROOTFS, '/mnt/nfs')));
    const nfs = fams.find((f) => f.name === 'node_filesystem_size_bytes')?.samples.find((x) => x.labels?.mountpoint === '/mnt/nfs');
    assert.equal(nfs?.value, 40960);
  });
});
