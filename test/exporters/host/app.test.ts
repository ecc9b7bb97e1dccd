import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { hostPart } from '../../../exporters/host/part';
import { COLLECTOR_NAMES } from '../../../exporters/host/config';
import { promtoolFindings } from '../../helpers/promtool';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { PROCFS, ROOTFS, SYSFS } from './fixtures';

const yaml = (extra = ''): string =>
  `host:\n  procfs: ${JSON.stringify(PROCFS)}\n  sysfs: ${JSON.stringify(SYSFS)}\n  rootfs: ${JSON.stringify(ROOTFS)}\n${extra}`;

/** Runs `promtool check metrics` on the text: its exit code and findings, one per line. */
const HOST_FAMILIES = [
  'node_cpu_seconds_total',
  'node_load1',
  'node_load5',
  'node_load15',
  'node_memory_MemTotal_bytes',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemFree_bytes',
  'node_memory_Buffers_bytes',
  'node_memory_Cached_bytes',
  'node_memory_SwapTotal_bytes',
  'node_memory_SwapFree_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_free_bytes',
  'node_filesystem_files',
  'node_filesystem_files_free',
  'node_filesystem_readonly',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
  'node_network_receive_packets_total',
  'node_network_transmit_packets_total',
  'node_network_receive_errs_total',
  'node_network_transmit_errs_total',
  'node_network_receive_drop_total',
  'node_network_transmit_drop_total',
  'node_disk_read_bytes_total',
  'node_disk_written_bytes_total',
  'node_disk_io_time_seconds_total',
  'node_boot_time_seconds',
  'node_time_seconds',
  'node_uname_info',
  'node_procs_running',
  'node_procs_blocked',
  'vigil_collector_success',
  'vigil_collector_duration_seconds',
];

describe('host part in the app', () => {
  let vigil: RunningVigil;
  before(async () => {
    vigil = await startVigil(yaml(), { parts: [hostPart] });
  });
  after(() => vigil.stop());

  test('/metrics has every host family, read from the configured procfs, sysfs and rootfs', async () => {
    const res = await fetch(`${vigil.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    for (const name of HOST_FAMILIES) assert.match(text, new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'), name);
    assert.match(text, /^node_boot_time_seconds 1795498967$/m);
    assert.match(text, /^node_memory_MemTotal_bytes 25276502016$/m);
    assert.match(text, /^node_disk_read_bytes_total\{device="sda"\} 7461357568$/m);
    // Real statfs below the fixture rootfs: /boot exists there, /mnt/nfs does not.
    assert.match(text, /^node_filesystem_device_error\{device="\/dev\/sda1",fstype="ext4",mountpoint="\/boot"\} 0$/m);
    assert.match(text, /^node_filesystem_device_error\{device="fileserver:\/export",fstype="nfs4",mountpoint="\/mnt\/nfs"\} 1$/m);
    assert.match(text, /^node_filesystem_size_bytes\{device="\/dev\/sda1",fstype="ext4",mountpoint="\/boot"\} [1-9]\d*$/m);
    for (const c of COLLECTOR_NAMES) {
      assert.match(text, new RegExp(`^vigil_collector_success\\{collector="${c}"\\} 1$`, 'm'), c);
      assert.match(text, new RegExp(`^node_scrape_collector_success\\{collector="${c}"\\} 1$`, 'm'), c);
      assert.match(text, new RegExp(`^node_scrape_collector_duration_seconds\\{collector="${c}"\\} \\d`, 'm'), c);
    }
  });

  test("promtool check metrics finds nothing but node_exporter's own camelCase names and entropy bits", async () => {
    const text = await (await fetch(`${vigil.url}/metrics`)).text();
    const { code, findings } = await promtoolFindings(text);
    assert.notEqual(code, 1, `promtool could not parse /metrics:\n${findings.join('\n')}`);
    assert.deepEqual(findings, []);
    assert.ok(code === 0 || code === 3, `promtool exit code ${String(code)}`);
  });

  test('a reload applies a new collector list; an invalid one is refused and changes nothing', async () => {
    await writeFile(vigil.configFile, yaml('  collectors: [loadavg, uname]\n'));
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    let text = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.match(text, /^node_load1 /m);
    assert.doesNotMatch(text, /^node_cpu_seconds_total/m);
    assert.doesNotMatch(text, /collector="cpu"/);

    await writeFile(vigil.configFile, yaml('  collectors: [loadavg, gpu]\n'));
    const bad = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: string };
    assert.match(body.error, /host\.collectors\[1\]: Invalid option: expected one of "arp"\|"conntrack"\|"cpu"/);
    text = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.match(text, /^node_uname_info\{/m);
    assert.doesNotMatch(text, /^node_cpu_seconds_total/m);

    await writeFile(vigil.configFile, yaml('  enabled: false\n'));
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    text = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.doesNotMatch(text, /^node_/m);
  });
});
