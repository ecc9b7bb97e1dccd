import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderFamilies } from '../../../core/exposition';
import { parseArp } from '../../../exporters/host/arp';
import { conntrackFamilies, parseConntrackStat } from '../../../exporters/host/conntrack';
import { DEFAULT_NETSTAT_FIELDS, DEFAULT_VMSTAT_FIELDS } from '../../../exporters/host/config';
import { parseSysctlInt } from '../../../exporters/host/entropy';
import { parseFileNr } from '../../../exporters/host/filefd';
import { cleanHwmonName, hwmonChipLabel, hwmonFamilies } from '../../../exporters/host/hwmon';
import { createFileReader } from '../../../exporters/host/file-reader';
import { createNetclassCollector, netclassFamilies, parseIntAttr } from '../../../exporters/host/netclass';
import { netDevFamilies, parseNetDev, withNoHandler } from '../../../exporters/host/netdev';
import { netstatFamilies, parseNetstatPairs, parseSnmp6 } from '../../../exporters/host/netstat';
import { parseKernelPageSize } from '../../../exporters/host/page-size';
import { parsePressure, pressureFamilies } from '../../../exporters/host/pressure';
import { parsePromText } from '../../../exporters/host/prom-text';
import { parseSchedstat } from '../../../exporters/host/schedstat';
import { nodeScrapeFamilies } from '../../../exporters/host/scrape-families';
import { parseSockstat, sockstatFamilies } from '../../../exporters/host/sockstat';
import { parseSoftnet } from '../../../exporters/host/softnet';
import { createTextfileCollector } from '../../../exporters/host/textfile';
import { adjtimexFamilies, createTimexCollector } from '../../../exporters/host/timex';
import type { AdjtimexReading, TimexFields } from '../../../exporters/host/adjtimex';
import { parseVmstat } from '../../../exporters/host/vmstat';
import { countOpenFds, pageSizeOf, parseMaxAddressSpace, parseStatm, parseVsize } from '../../../core/self-metrics';

const signal = new AbortController().signal;

describe('pressure', () => {
  test('turns microsecond totals into seconds; cpu has no "stalled" family, as in node_exporter 1.5', () => {
    const cpu = parsePressure('some avg10=1.00 avg60=0.50 avg300=0.10 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n');
    const io = parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=500000\n');
    const text = renderFamilies(pressureFamilies({ cpu, io }));
    assert.match(text, /^node_pressure_cpu_waiting_seconds_total 2\.5$/m);
    assert.match(text, /^node_pressure_io_stalled_seconds_total 0\.5$/m);
    assert.doesNotMatch(text, /cpu_stalled/);
    assert.doesNotMatch(text, /memory/);
  });
  test('refuses a malformed line', () => {
    assert.throws(() => parsePressure('some avg10=x\n', 'io'), /\/proc\/pressure\/io: malformed line "some avg10=x"/);
  });
});

describe('vmstat', () => {
  test("keeps only the fields node_exporter's default regex selects", () => {
    const m = parseVmstat('nr_free_pages 100\npgfault 12\npgmajfault 3\npswpin 0\noom_kill 1\npgsteal_kswapd 9\n', new RegExp(DEFAULT_VMSTAT_FIELDS));
    assert.deepEqual([...m], [['pgfault', 12], ['pgmajfault', 3], ['pswpin', 0], ['oom_kill', 1]]);
  });
  test('refuses a line without a value', () => {
    assert.throws(() => parseVmstat('pgfault\n', /.*/), /\/proc\/vmstat: malformed line "pgfault"/);
  });
});

describe('netstat', () => {
  const netstat = 'TcpExt: SyncookiesSent ListenDrops TCPTimeouts DelayedACKs\nTcpExt: 1 2 3 4\nIpExt: InOctets OutOctets\nIpExt: 10 20\n';
  test('pairs header and value lines and filters with the default fields', () => {
    const text = renderFamilies(netstatFamilies(parseNetstatPairs(netstat, '/proc/net/netstat'), new RegExp(DEFAULT_NETSTAT_FIELDS)));
    assert.match(text, /^# HELP node_netstat_TcpExt_ListenDrops Statistic TcpExtListenDrops\.$/m);
    assert.match(text, /^# TYPE node_netstat_TcpExt_ListenDrops untyped$/m);
    assert.match(text, /^node_netstat_IpExt_OutOctets 20$/m);
    assert.doesNotMatch(text, /DelayedACKs/);
  });
  test('splits snmp6 keys at the protocol\'s "6", Tcp MaxConn -1 stays a number', () => {
    assert.deepEqual(parseSnmp6('Ip6InOctets 5\nUdpLite6InErrors 0\n'), [
      { protocol: 'Ip6', name: 'InOctets', value: 5 },
      { protocol: 'UdpLite6', name: 'InErrors', value: 0 },
    ]);
    assert.deepEqual(parseNetstatPairs('Tcp: MaxConn\nTcp: -1\n', 'snmp'), [{ protocol: 'Tcp', name: 'MaxConn', value: -1 }]);
  });
  test('refuses mismatched header and value lines', () => {
    assert.throws(() => parseNetstatPairs('Tcp: A B\nTcp: 1\n', '/proc/net/snmp'), /\/proc\/net\/snmp: mismatched lines/);
    assert.throws(() => parseNetstatPairs('Tcp: A\n', '/proc/net/snmp'), /header line without values/);
    assert.throws(() => parseSnmp6('Ip6InOctets x\n'), /\/proc\/net\/snmp6: malformed line/);
  });
});

describe('sockstat', () => {
  test('gives mem in pages and bytes, and sockets used', () => {
    const lines = parseSockstat('sockets: used 290\nTCP: inuse 5 orphan 0 tw 2 alloc 7 mem 3\n');
    const text = renderFamilies(sockstatFamilies(lines, 16384));
    assert.match(text, /^node_sockstat_sockets_used 290$/m);
    assert.match(text, /^node_sockstat_TCP_mem 3$/m);
    assert.match(text, /^node_sockstat_TCP_mem_bytes 49152$/m);
  });
  test('refuses an odd number of fields', () => {
    assert.throws(() => parseSockstat('TCP: inuse\n'), /\/proc\/net\/sockstat: malformed line "TCP: inuse"/);
  });
  test('reads the page size from smaps', () => {
    assert.equal(parseKernelPageSize('Size:  4 kB\nKernelPageSize:       64 kB\n'), 65536);
    assert.equal(parseKernelPageSize('nothing'), undefined);
  });
});

describe('softnet, schedstat, filefd, entropy, arp', () => {
  test('softnet counters are hexadecimal', () => {
    assert.deepEqual(parseSoftnet('0000000a 00000001 000000ff 0 0 0 0 0 0 0 0\n'), [{ processed: 10, dropped: 1, timeSqueezed: 255 }]);
    assert.throws(() => parseSoftnet('zz 0 0 0 0 0 0 0 0\n'), /softnet_stat: malformed line/);
  });
  test('schedstat nanoseconds become seconds, one sample per cpu line', () => {
    const cpus = parseSchedstat('version 15\ntimestamp 1\ncpu3 0 0 0 0 0 0 2000000000 500000000 42\ndomain0 3 0\n');
    assert.deepEqual(cpus, [{ cpu: '3', runningSeconds: 2, waitingSeconds: 0.5, timeslices: 42 }]);
    assert.throws(() => parseSchedstat('cpu0 1 2\n'), /\/proc\/schedstat: malformed line/);
  });
  test('file-nr gives allocated and maximum', () => {
    assert.deepEqual(parseFileNr('1132\t0\t2466170\n'), { allocated: 1132, maximum: 2466170 });
    assert.throws(() => parseFileNr('1 2\n'), /file-nr: unexpected content/);
  });
  test('a sysctl must hold an integer', () => {
    assert.equal(parseSysctlInt('256\n', 'x'), 256);
    assert.throws(() => parseSysctlInt('\n', '/proc/sys/kernel/random/poolsize'), /poolsize: expected an integer, got "\\n"/);
  });
  test('arp entries are counted per device', () => {
    const text = 'IP address HW type Flags HW address Mask Device\n10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0\n10.0.0.2 0x1 0x2 aa:bb:cc:dd:ee:00 * eth0\n10.1.0.1 0x1 0x0 00:00:00:00:00:00 * br0\n';
    assert.deepEqual([...parseArp(text)], [['eth0', 2], ['br0', 1]]);
    assert.throws(() => parseArp('garbage\n'), /\/proc\/net\/arp: unexpected header/);
  });
});

describe('conntrack', () => {
  test('sums each column over CPUs by its header name', () => {
    const stat = 'entries  clashres found new invalid\n0000000a 00000000 00000002 00000000 00000001\n0000000a 00000000 00000003 00000000 00000010\n';
    const sums = parseConntrackStat(stat);
    assert.equal(sums.get('found'), 5);
    assert.equal(sums.get('invalid'), 17);
    const text = renderFamilies(conntrackFamilies(12, 262144, sums));
    assert.match(text, /^node_nf_conntrack_stat_found 5$/m);
    assert.match(text, /^node_nf_conntrack_entries_limit 262144$/m);
    assert.doesNotMatch(text, /stat_drop/, 'a column the kernel lacks is left out');
  });
  test('refuses a line that does not match the header', () => {
    assert.throws(() => parseConntrackStat('entries found\n1\n'), /nf_conntrack: malformed line "1"/);
  });
});

describe('netclass', () => {
  test('hexadecimal flags and dev_id, speed in bytes per second, unknown speed -1 kept as node_exporter does', () => {
    assert.equal(parseIntAttr('0x1003'), 4099);
    assert.equal(parseIntAttr('-1'), -1);
    assert.equal(parseIntAttr('fast'), undefined);
    const text = renderFamilies(
      netclassFamilies([
        { device: 'eth0', attrs: { operstate: 'up', speed: '1000', flags: '0x1003', mtu: '1500', address: 'aa:bb' } },
        { device: 'wg0', attrs: { operstate: 'unknown', speed: '-1' } },
      ]),
    );
    assert.match(text, /^node_network_speed_bytes\{device="eth0"\} 125000000$/m);
    assert.match(text, /^node_network_speed_bytes\{device="wg0"\} -125000$/m);
    assert.match(text, /^node_network_flags\{device="eth0"\} 4099$/m);
    assert.match(text, /^node_network_up\{device="wg0"\} 0$/m);
    assert.match(text, /^node_network_info\{address="aa:bb",broadcast="",device="eth0",duplex="",ifalias="",operstate="up"\} 1$/m);
    assert.doesNotMatch(text, /node_network_mtu_bytes\{device="wg0"\}/, 'an attribute the device lacks is left out');
  });
});

describe('netclass collector', () => {
  test('reads changing attributes every scrape, ifindex once per interface, and starts afresh when another device takes the name', async () => {
    const sysfs = await mkdtemp(join(tmpdir(), 'vigil-netclass-'));
    const reader = createFileReader();
    try {
      const net = join(sysfs, 'class', 'net');
      const makeIface = async (dir: string, ifindex: number, mtu: number): Promise<void> => {
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'ifindex'), `${ifindex}\n`);
        await writeFile(join(dir, 'mtu'), `${mtu}\n`);
        await writeFile(join(dir, 'operstate'), 'up\n');
      };
      await makeIface(join(net, 'eth9'), 7, 1500);
      const collector = createNetclassCollector({ reader, sysfs });
      const scrape = async (): Promise<string> => renderFamilies(await collector.collect(signal));
      let text = await scrape();
      assert.match(text, /^node_network_iface_id\{device="eth9"\} 7$/m);
      assert.match(text, /^node_network_mtu_bytes\{device="eth9"\} 1500$/m);
      // The same device: the MTU is read again, the index is not (it cannot change).
      await writeFile(join(net, 'eth9', 'mtu'), '9000\n');
      await writeFile(join(net, 'eth9', 'ifindex'), '8\n');
      text = await scrape();
      assert.match(text, /^node_network_mtu_bytes\{device="eth9"\} 9000$/m);
      assert.match(text, /^node_network_iface_id\{device="eth9"\} 7$/m);
      // Another device under the same name (a new entry, so a new inode): nothing of the old one is kept.
      await rename(join(net, 'eth9'), join(sysfs, 'old-eth9'));
      await makeIface(join(net, 'eth9'), 12, 1400);
      await rm(join(sysfs, 'old-eth9'), { recursive: true });
      text = await scrape();
      assert.match(text, /^node_network_iface_id\{device="eth9"\} 12$/m);
      assert.match(text, /^node_network_mtu_bytes\{device="eth9"\} 1400$/m);
      // Gone: no samples, and its files are not read again.
      await rm(join(net, 'eth9'), { recursive: true });
      assert.doesNotMatch(await scrape(), /eth9/);
    } finally {
      await reader.close();
      await rm(sysfs, { recursive: true, force: true });
    }
  });
});

describe('netdev receive_nohandler', () => {
  test('is added after receive_multicast for devices sysfs has it for', () => {
    const devs = parseNetDev(
      'Inter-| Receive | Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n eth0: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n  lo: 5 6 0 0 0 0 0 0 5 6 0 0 0 0 0 0\n',
    );
    const text = renderFamilies(netDevFamilies(withNoHandler(devs, new Map([['eth0', 7]]))));
    assert.match(text, /^node_network_receive_nohandler_total\{device="eth0"\} 7$/m);
    assert.doesNotMatch(text, /nohandler_total\{device="lo"\}/);
  });
});

describe('hwmon', () => {
  test("derives node_exporter's chip label from the device path, else the name file, else the directory", () => {
    assert.equal(hwmonChipLabel('/sys/devices/platform/coretemp.0', 'coretemp', 'hwmon1'), 'platform_coretemp_0');
    assert.equal(hwmonChipLabel('/sys/devices/pci0000:00/0000:00:18.3', 'k10temp', 'hwmon2'), 'pci0000:00_0000:00:18_3');
    assert.equal(hwmonChipLabel(undefined, 'ACPI TZ', 'hwmon0'), 'acpi_tz');
    assert.equal(hwmonChipLabel(undefined, undefined, 'hwmon7'), 'hwmon7');
    assert.equal(cleanHwmonName(' Package id 0 '), 'package_id_0');
  });
  test('millidegrees become degrees; alarms keep their value; unparsable files are skipped', () => {
    const text = renderFamilies(
      hwmonFamilies([{ chip: 'c', chipName: 'k10temp', files: new Map([['temp1_input', '51250'], ['temp1_alarm', '1'], ['temp2_input', 'n/a']]) }]),
    );
    assert.match(text, /^node_hwmon_temp_celsius\{chip="c",sensor="temp1"\} 51\.25$/m);
    assert.match(text, /^node_hwmon_temp_alarm\{chip="c",sensor="temp1"\} 1$/m);
    assert.match(text, /^node_hwmon_chip_names\{chip="c",chip_name="k10temp"\} 1$/m);
    assert.doesNotMatch(text, /temp2/);
  });
});

describe('textfile', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const dir = async (files: Record<string, string>): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'vigil-textfile-'));
    dirs.push(d);
    for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
    return d;
  };

  test('parses help, type, labels with escapes and special values', () => {
    const [f] = parsePromText('# HELP a_total Some \\\\ help.\n# TYPE a_total counter\na_total{path="C:\\\\x",q="say \\"hi\\""} +Inf\n');
    assert.equal(f?.help, 'Some \\ help.');
    assert.equal(f?.type, 'counter');
    assert.deepEqual(f?.samples, [{ name: 'a_total', labels: { path: 'C:\\x', q: 'say "hi"' }, value: Infinity }]);
  });
  test('refuses client-side timestamps, bad names and bad values with the line number', () => {
    assert.throws(() => parsePromText('a 1 1700000000000\n'), /line 1: client-side timestamps are not supported/);
    assert.throws(() => parsePromText('\n9a 1\n'), /line 2: invalid metric name "9a"/);
    assert.throws(() => parsePromText('a{b="c"} one\n'), /line 1: invalid value "one"/);
    assert.throws(() => parsePromText('a{b="c} 1\n'), /line 1: unterminated label value/);
    assert.throws(() => parsePromText('# TYPE a gauge-ish\n'), /line 1: unknown type "gauge-ish"/);
  });
  test('a good directory reports error 0 and an mtime per file; a bad file sets error 1 and is left out', async () => {
    const good = await dir({ 'a.prom': 'x 1\n', 'ignored.txt': 'not read\n' });
    let text = renderFamilies(await createTextfileCollector({ directory: good }).collect(signal));
    assert.match(text, /^x 1$/m);
    assert.match(text, /^node_textfile_mtime_seconds\{file="a\.prom"\} \d+/m);
    assert.match(text, /^node_textfile_scrape_error 0$/m);
    assert.match(text, new RegExp(`^# HELP x Metric read from ${join(good, 'a.prom').replace(/[.]/g, '\\.')}$`, 'm'));

    const errors: string[] = [];
    const bad = await dir({ 'a.prom': 'x 1\n', 'b.prom': 'y 1 123\n' });
    text = renderFamilies(await createTextfileCollector({ directory: bad, onFileError: (p) => errors.push(p) }).collect(signal));
    assert.match(text, /^node_textfile_scrape_error 1$/m);
    assert.doesNotMatch(text, /^y /m);
    assert.deepEqual(errors, [join(bad, 'b.prom')]);

    text = renderFamilies(await createTextfileCollector({ directory: join(bad, 'missing') }).collect(signal));
    assert.match(text, /^node_textfile_scrape_error 1$/m);
    text = renderFamilies(await createTextfileCollector({}).collect(signal));
    assert.equal(text, '# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0\n');
  });
});

describe('timex', () => {
  /** A reading's families as name -> value (each timex family has one sample). */
  const values = (r: AdjtimexReading): Record<string, number> =>
    Object.fromEntries(adjtimexFamilies(r).map((f) => [f.name, f.samples[0]?.value ?? Number.NaN]));
  const zero: TimexFields = {
    offset: 0, freq: 0, maxerror: 0, esterror: 0, status: 0, constant: 0, precision: 0, tolerance: 0, tick: 0,
    ppsfreq: 0, jitter: 0, shift: 0, stabil: 0, jitcnt: 0, calcnt: 0, errcnt: 0, stbcnt: 0, tai: 0,
  };

  test('STA_NANO: offset and PPS jitter in nanoseconds; errors and tick in microseconds; frequencies in ppm << 16', () => {
    const v = values({
      state: 0,
      timex: {
        ...zero, status: 0x2001, offset: -2_500_000, jitter: 1500, freq: 655_360, ppsfreq: -131_072, stabil: 6553,
        maxerror: 123_000, esterror: 4000, tick: 10_000, constant: 7, shift: 4, jitcnt: 9, calcnt: 10, errcnt: 11, stbcnt: 12, tai: 37,
      },
    });
    assert.deepEqual(v, {
      node_timex_sync_status: 1,
      node_timex_offset_seconds: -0.0025,
      node_timex_frequency_adjustment_ratio: 1.00001,
      node_timex_maxerror_seconds: 0.123,
      node_timex_estimated_error_seconds: 0.004,
      node_timex_status: 0x2001,
      node_timex_loop_time_constant: 7,
      node_timex_tick_seconds: 0.01,
      node_timex_pps_frequency_hertz: -2e-6,
      node_timex_pps_jitter_seconds: 1.5e-6,
      node_timex_pps_shift_seconds: 4,
      node_timex_pps_stability_hertz: 6553 / 65_536e6,
      node_timex_pps_jitter_total: 9,
      node_timex_pps_calibration_total: 10,
      node_timex_pps_error_total: 11,
      node_timex_pps_stability_exceeded_total: 12,
      node_timex_tai_offset_seconds: 37,
    });
  });

  test('without STA_NANO offset and PPS jitter are microseconds; TIME_ERROR (5) is sync status 0, other states 1', () => {
    const micro = values({ state: 5, timex: { ...zero, status: 0x41, offset: 1500, jitter: 30, maxerror: 16_000_000, tick: 10_000 } });
    assert.equal(micro.node_timex_offset_seconds, 0.0015);
    assert.equal(micro.node_timex_pps_jitter_seconds, 0.00003);
    assert.equal(micro.node_timex_maxerror_seconds, 16);
    assert.equal(micro.node_timex_status, 0x41);
    assert.equal(micro.node_timex_sync_status, 0);
    for (const state of [0, 1, 2, 3, 4]) assert.equal(values({ state, timex: zero }).node_timex_sync_status, 1, `state ${state}`);
  });

  test('the rendered families: node_exporter 1.5\'s 17 names, help texts and types, counters for the PPS counts', () => {
    const text = renderFamilies(adjtimexFamilies({ state: 5, timex: { ...zero, tick: 10_000, status: 64, constant: 2 } }));
    assert.equal(text.match(/^# TYPE /gm)?.length, 17);
    assert.match(text, /^# HELP node_timex_offset_seconds Time offset in between local system and reference clock\.\n# TYPE node_timex_offset_seconds gauge\nnode_timex_offset_seconds 0$/m);
    assert.match(text, /^# TYPE node_timex_pps_stability_exceeded_total counter$/m);
    assert.match(text, /^node_timex_tick_seconds 0\.01$/m);
    assert.match(text, /^node_timex_sync_status 0$/m);
  });

  test('with adjtimex every family comes from it, not from timesyncd\'s file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-timex-'));
    try {
      await mkdir(join(root, 'run/systemd/timesync'), { recursive: true });
      await writeFile(join(root, 'run/systemd/timesync/synchronized'), '');
      const text = renderFamilies(await createTimexCollector({ rootfs: root, adjtimex: () => ({ state: 5, timex: { ...zero, tick: 10_000 } }) }).collect(signal));
      assert.match(text, /^node_timex_sync_status 0$/m);
      assert.match(text, /^node_timex_maxerror_seconds 0$/m);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('adjtimex refused with EPERM yields no families (node_exporter: no data); another error fails with the reason', async () => {
    const failing = (code: string) => () => {
      throw Object.assign(new Error(`adjtimex: ${code}`), { code });
    };
    assert.deepEqual(await createTimexCollector({ rootfs: '/nonexistent', adjtimex: failing('EPERM') }).collect(signal), []);
    assert.throws(() => createTimexCollector({ rootfs: '/nonexistent', adjtimex: failing('EFAULT') }).collect(signal), {
      message: 'failed to retrieve adjtimex stats: adjtimex: EFAULT',
    });
  });

  test('fallback without adjtimex: sync status from timesyncd where it runs, left out elsewhere; tick always', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vigil-timex-'));
    const unavailable = (): undefined => undefined;
    try {
      let text = renderFamilies(await createTimexCollector({ rootfs: root, adjtimex: unavailable }).collect(signal));
      assert.equal(text, '# HELP node_timex_tick_seconds Seconds between clock ticks.\n# TYPE node_timex_tick_seconds gauge\nnode_timex_tick_seconds 0.01\n');
      await mkdir(join(root, 'run/systemd/timesync'), { recursive: true });
      text = renderFamilies(await createTimexCollector({ rootfs: root, adjtimex: unavailable }).collect(signal));
      assert.match(text, /^node_timex_sync_status 0$/m);
      await writeFile(join(root, 'run/systemd/timesync/synchronized'), '');
      text = renderFamilies(await createTimexCollector({ rootfs: root, adjtimex: unavailable }).collect(signal));
      assert.match(text, /^node_timex_sync_status 1$/m);
      assert.doesNotMatch(text, /offset|maxerror/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('node_scrape_collector_* and the process families', () => {
  test('one sample per collector, with node_exporter help texts', () => {
    const text = renderFamilies(
      nodeScrapeFamilies([
        { name: 'cpu', success: true, durationSeconds: 0.002, families: [] },
        { name: 'hwmon', success: false, durationSeconds: 0.5, families: [] },
      ]),
    );
    assert.match(text, /^# HELP node_scrape_collector_success node_exporter: Whether a collector succeeded\.$/m);
    assert.match(text, /^node_scrape_collector_success\{collector="hwmon"\} 0$/m);
    assert.match(text, /^node_scrape_collector_duration_seconds\{collector="cpu"\} 0\.002$/m);
  });
  test('vsize from /proc/self/stat (a command name with spaces and parentheses) and the address-space limit', () => {
    const stat = '4242 (node (v20) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 1 2 0 0 20 0 11 0 1000 1046941696 9000 18446744073709551615';
    assert.equal(parseVsize(stat), 1046941696);
    assert.equal(parseMaxAddressSpace('Max address space         unlimited            unlimited            bytes\n'), 2 ** 64 - 1);
    assert.equal(parseMaxAddressSpace('Max address space         4294967296           unlimited            bytes\n'), 4294967296);
  });
  test('process_open_fds counts descriptors as they open and close; a directory of size 0 (before Linux 6.2) is listed', () => {
    const before = countOpenFds();
    assert.ok(before !== undefined && before > 2);
    const fds = [1, 2, 3, 4, 5].map(() => openSync('/proc/self/statm', 'r'));
    try {
      assert.equal(countOpenFds(), before + 5);
      // /proc/self/fdinfo has size 0, as /proc/self/fd had before 6.2: counted by listing it.
      assert.equal(statSync('/proc/self/fdinfo').size, 0);
      assert.equal(countOpenFds('/proc/self/fdinfo'), readdirSync('/proc/self/fdinfo').length);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    assert.equal(countOpenFds(), before);
    assert.equal(countOpenFds('/no/such/dir'), undefined);
  });
  test('sizes from /proc/self/statm in pages, and the page size from vsize over statm size', () => {
    assert.deepEqual(parseStatm('255601 2300 1150 8 0 20000 0\n'), { size: 255601, resident: 2300 });
    assert.equal(parseStatm('x y\n'), undefined);
    assert.equal(pageSizeOf(1046941696, 255601), 4096);
    assert.equal(pageSizeOf(1046941696 + 8192, 255601), 4096, 'the address space grew between the two reads');
    assert.equal(pageSizeOf(65536 * 1000, 1000), 65536);
    assert.equal(pageSizeOf(undefined, 1000), 4096);
  });
});
