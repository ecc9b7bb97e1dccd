import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { updateCpuTimes } from '../../../exporters/host/cpu';
import { diskstatsFamilies, parseDiskstats } from '../../../exporters/host/diskstats';
import { filesystemFamilies, parseMounts, selectMounts, stripRootfs } from '../../../exporters/host/filesystem';
import { DEFAULT_DISK_DEVICE_EXCLUDE, DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from '../../../exporters/host/config';
import { parseLoadavg } from '../../../exporters/host/loadavg';
import { parseMeminfo } from '../../../exporters/host/meminfo';
import { netDevFamilies, parseNetDev } from '../../../exporters/host/netdev';
import { parseProcStat, type CpuTimes } from '../../../exporters/host/proc-stat';
import { timeZone } from '../../../exporters/host/time';

const times = (over: Partial<CpuTimes>): CpuTimes => ({
  user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0, ...over,
});

describe('parseProcStat', () => {
  const text = [
    'cpu  300 10 200 9000 50 1 2 3 4 5',
    'cpu0 150 5 100 4500 25 1 1 2 4 0',
    'cpu1 150 5 100 4500 25 0 1 1 0 5',
    'intr 811184 0 0 12 7',
    'ctxt 3036852',
    'btime 1795498967',
    'processes 12980',
    'procs_running 2',
    'procs_blocked 1',
    'softirq 610332 0 46564',
    '',
  ].join('\n');

  test('converts per-CPU ticks of USER_HZ=100 to seconds and leaves out the total line', () => {
    const s = parseProcStat(text);
    assert.deepEqual([...s.cpus.keys()], ['0', '1']);
    assert.deepEqual(s.cpus.get('0'), times({ user: 1.5, nice: 0.05, system: 1, idle: 45, iowait: 0.25, irq: 0.01, softirq: 0.01, steal: 0.02, guest: 0.04 }));
    assert.equal(s.cpus.get('1')?.guestNice, 0.05);
  });

  test('reads the intr total, context switches, boot time, forks and process counts', () => {
    const s = parseProcStat(text);
    assert.deepEqual(
      { intr: s.intr, ctxt: s.ctxt, btime: s.btime, processes: s.processes, running: s.procsRunning, blocked: s.procsBlocked },
      { intr: 811184, ctxt: 3036852, btime: 1795498967, processes: 12980, running: 2, blocked: 1 },
    );
  });

  test('accepts old kernels without guest columns', () => {
    const s = parseProcStat('cpu0 100 0 50 1000 7 0 0\n');
    assert.deepEqual(s.cpus.get('0'), times({ user: 1, system: 0.5, idle: 10, iowait: 0.07 }));
  });

  test('throws on a malformed cpu line', () => {
    assert.throws(() => parseProcStat('cpu0 12 x 3 4\n'), /\/proc\/stat: malformed line "cpu0 12 x 3 4"/);
  });
});

describe('updateCpuTimes', () => {
  test('keeps a counter that went backwards at its previous value', () => {
    const out = updateCpuTimes(times({ idle: 100, iowait: 5, user: 10 }), times({ idle: 101, iowait: 4.9, user: 11 }));
    assert.deepEqual(out, times({ idle: 101, iowait: 5, user: 11 }));
  });

  test('resets a CPU whose idle time jumped back 3 s or more (hotplug)', () => {
    const out = updateCpuTimes(times({ idle: 100, user: 50 }), times({ idle: 2, user: 1 }));
    assert.deepEqual(out, times({ idle: 2, user: 1 }));
  });
});

describe('parseMeminfo', () => {
  test("names fields as node_exporter does: kB to bytes with _bytes, parentheses to '_', unitless kept", () => {
    const m = parseMeminfo('MemTotal:       24684084 kB\nActive(anon):       1620 kB\nHugePages_Total:       3\n');
    assert.deepEqual([...m], [
      ['MemTotal_bytes', 24684084 * 1024],
      ['Active_anon_bytes', 1620 * 1024],
      ['HugePages_Total', 3],
    ]);
  });

  test('throws on an unknown unit or a value that is not a number', () => {
    assert.throws(() => parseMeminfo('MemTotal: 12 MB\n'), /unknown unit/);
    assert.throws(() => parseMeminfo('MemTotal: twelve kB\n'), /invalid value/);
  });
});

describe('parseLoadavg', () => {
  test('reads the three load averages', () => {
    assert.deepEqual(parseLoadavg('0.25 0.27 0.13 1/88 7357\n'), { load1: 0.25, load5: 0.27, load15: 0.13 });
  });
  test('throws on anything else', () => {
    assert.throws(() => parseLoadavg('0.25 zero\n'), /\/proc\/loadavg: unexpected content/);
    assert.throws(() => parseLoadavg(''), /\/proc\/loadavg: unexpected content/);
  });
});

describe('parseNetDev', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0',
    '  eth0:344436813    8063    1    2    0     0          0         7   732882    5256    0    3    0     4       0          0',
    '',
  ].join('\n');

  test('names the columns from the header, including a value glued to the colon', () => {
    const devs = parseNetDev(text);
    assert.deepEqual(devs.map((d) => d.device), ['lo', 'eth0']);
    const eth0 = devs[1]?.stats;
    assert.equal(eth0?.get('receive_bytes'), 344436813);
    assert.equal(eth0?.get('receive_errs'), 1);
    assert.equal(eth0?.get('receive_multicast'), 7);
    assert.equal(eth0?.get('transmit_drop'), 3);
    assert.equal(eth0?.get('transmit_colls'), 4);
    assert.equal(eth0?.size, 16);
  });

  test('families are counters named node_network_<stat>_total; device_exclude drops devices', () => {
    const fams = netDevFamilies(parseNetDev(text), /^lo$/);
    const rx = fams.find((f) => f.name === 'node_network_receive_bytes_total');
    assert.equal(rx?.type, 'counter');
    assert.equal(rx?.help, 'Network device statistic receive_bytes.');
    assert.deepEqual(rx?.samples, [{ labels: { device: 'eth0' }, value: 344436813 }]);
  });

  test('throws on a line with the wrong number of columns', () => {
    assert.throws(() => parseNetDev(`${text}  eth1: 1 2 3\n`), /\/proc\/net\/dev: malformed line/);
  });
});

describe('parseDiskstats and diskstatsFamilies', () => {
  const text = [
    ' 254       0 vda 36767 8039 2008114 15702 32065 31007 4026744 14415 0 8008 30886 8523 31 276216 578 5012 190',
    '   8       1 sda1 100 0 800 10 0 0 0 0 0 10 10',
    '   8       0 sda 100 0 800 10 0 0 0 0 0 10 10',
    '   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
  ].join('\n');

  test('reads 17-column (5.5+) and 11-column (before 4.18) lines', () => {
    const d = parseDiskstats(text);
    assert.deepEqual(d.map((x) => [x.major, x.minor, x.device, x.values.length]), [
      [254, 0, 'vda', 17],
      [8, 1, 'sda1', 11],
      [8, 0, 'sda', 11],
      [7, 0, 'loop0', 17],
    ]);
  });

  test('sectors become bytes (x512), milliseconds become seconds; partitions and loop excluded by default', () => {
    const fams = diskstatsFamilies(parseDiskstats(text), new RegExp(DEFAULT_DISK_DEVICE_EXCLUDE));
    const get = (name: string): unknown => fams.find((f) => f.name === name)?.samples;
    assert.deepEqual(get('node_disk_read_bytes_total'), [
      { labels: { device: 'vda' }, value: 2008114 * 512 },
      { labels: { device: 'sda' }, value: 800 * 512 },
    ]);
    assert.deepEqual(get('node_disk_written_bytes_total'), [
      { labels: { device: 'vda' }, value: 4026744 * 512 },
      { labels: { device: 'sda' }, value: 0 },
    ]);
    assert.deepEqual(get('node_disk_io_time_seconds_total'), [
      { labels: { device: 'vda' }, value: 8.008 },
      { labels: { device: 'sda' }, value: 0.01 },
    ]);
    // Discard and flush columns exist only on newer kernels: sda (11 columns) has none.
    assert.deepEqual(get('node_disk_flush_requests_total'), [{ labels: { device: 'vda' }, value: 5012 }]);
  });

  test('throws on a truncated line', () => {
    assert.throws(() => parseDiskstats('8 0 sda 1 2 3\n'), /\/proc\/diskstats: malformed line/);
  });
});

describe('mounts', () => {
  test('parseMounts undoes the octal escapes of mount points', () => {
    assert.deepEqual(parseMounts('/dev/sdb1 /mnt/backup\\040disk xfs rw,noatime 0 0\n'), [
      { device: '/dev/sdb1', mountPoint: '/mnt/backup disk', fsType: 'xfs', options: 'rw,noatime' },
    ]);
    assert.throws(() => parseMounts('/dev/sda1 /boot\n'), /mounts: malformed line/);
  });

  test('stripRootfs shows mount points as seen from the host root', () => {
    assert.equal(stripRootfs('/host/var/log', '/host'), '/var/log');
    assert.equal(stripRootfs('/host', '/host/'), '/');
    assert.equal(stripRootfs('/hostname', '/host'), '/hostname');
    assert.equal(stripRootfs('/var', '/'), '/var');
  });

  test('selectMounts applies node_exporter default excludes and reports each mount once', () => {
    const mounts = parseMounts(
      [
        'proc /proc proc rw 0 0',
        'tmpfs /dev/shm tmpfs rw 0 0',
        '/dev/vda / ext4 rw 0 0',
        '/dev/vda / ext4 rw 0 0',
        'tmpfs /run/credentials/x.service tmpfs ro 0 0',
        'overlay /merged overlay rw 0 0',
        'tmpfs /run tmpfs rw 0 0',
      ].join('\n'),
    );
    const kept = selectMounts(mounts, '/', new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE), new RegExp(DEFAULT_FS_TYPES_EXCLUDE));
    assert.deepEqual(kept.map((m) => m.mountPoint), ['/', '/run']);
  });

  test('filesystemFamilies: bytes are blocks x block size; a failed statfs reports only device_error and readonly', () => {
    const fams = filesystemFamilies([
      { mount: { device: '/dev/sda1', mountPoint: '/boot', fsType: 'ext4', options: 'ro,relatime' }, stats: { bsize: 1024, blocks: 10, bfree: 4, bavail: 3, files: 7, ffree: 6 } },
      { mount: { device: 'srv:/x', mountPoint: '/mnt/nfs', fsType: 'nfs4', options: 'rw' }, stats: undefined },
    ]);
    const values = Object.fromEntries(fams.map((f) => [f.name, f.samples.map((s) => `${s.labels?.mountpoint}=${s.value}`).join(' ')]));
    assert.deepEqual(values, {
      node_filesystem_avail_bytes: '/boot=3072',
      node_filesystem_device_error: '/boot=0 /mnt/nfs=1',
      node_filesystem_files: '/boot=7',
      node_filesystem_files_free: '/boot=6',
      node_filesystem_free_bytes: '/boot=4096',
      node_filesystem_readonly: '/boot=1 /mnt/nfs=0',
      node_filesystem_size_bytes: '/boot=10240',
    });
  });
});

describe('timeZone', () => {
  test('gives the abbreviation and offset east of UTC at that instant', () => {
    assert.deepEqual(timeZone(Date.UTC(2026, 0, 15), 'UTC'), { name: 'UTC', offsetSeconds: 0 });
    assert.deepEqual(timeZone(Date.UTC(2026, 0, 15), 'America/New_York'), { name: 'EST', offsetSeconds: -18000 });
    assert.deepEqual(timeZone(Date.UTC(2026, 6, 15), 'America/New_York'), { name: 'EDT', offsetSeconds: -14400 });
    assert.equal(timeZone(Date.UTC(2026, 0, 15), 'Asia/Kolkata').offsetSeconds, 19800);
  });
});
