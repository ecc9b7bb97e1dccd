/**
 * Hosts: one host at a time, listed by its node_uname_info nodename (not IP:port); the value is the
 * target's `host` label (prometheus/README.md), which every series and recording rule carries and
 * the alerts link with (var-host). node_exporter metric names, so the same board works on hosts
 * that run the real node_exporter, and "Node Exporter Full" works on Vigil's hosts.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { board, BOARD_UIDS, hostVariable } from '../board';
import { row, statPanel, tablePanel, timeseriesPanel, upDown } from '../panels';

const I = 'host=~"$host"';
/** Real filesystems only: no tmpfs, overlays of containers or squashfs snaps. */
const FS = `${I},fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|devtmpfs|fuse.*"`;
const FS_RULE = `fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|devtmpfs|fuse.*",${I}`;
const RATE = '$__rate_interval';

export function hostsBoard(): dashboard.DashboardBuilder {
  return board(BOARD_UIDS.hosts, 'Vigil / Hosts', 'One host: CPU, memory, disks, network and system, by node_exporter names.')
    .withVariable(hostVariable())
    .withRow(row('Overview'))
    .withPanel(statPanel('CPU busy', 'percentunit', [`host:node_cpu_utilisation:rate5m{${I}}`], { description: 'Share of CPU time busy (not idle, iowait or steal) over 5 minutes, all cores.', max: 1, thresholds: [[0.8, 'orange'], [0.95, 'red']] }))
    .withPanel(statPanel('Memory used', 'percentunit', [`host:node_memory_utilisation:ratio{${I}}`], { description: 'Memory not available to new programs (MemAvailable).', max: 1, thresholds: [[0.85, 'orange'], [0.95, 'red']] }))
    .withPanel(statPanel('Root disk used', 'percentunit', [`1 - host_mountpoint:node_filesystem_avail:ratio{${I},mountpoint="/"}`], { description: 'Space used on / (as non-root users see it).', max: 1, thresholds: [[0.8, 'orange'], [0.9, 'red']] }))
    .withPanel(statPanel('Load per core', 'short', [`host:node_load15_per_cpu:ratio{${I}}`], { description: '15-minute load average divided by the number of cores; above 1 means waiting work.', decimals: 2, thresholds: [[1, 'orange'], [2, 'red']] }))
    .withPanel(statPanel('Cores', 'short', [`host:node_cpus:count{${I}}`], { description: 'CPU cores of the host.' }))
    .withPanel(statPanel('Uptime', 's', [`time() - max(node_boot_time_seconds{${I}})`], { description: 'Time since the host booted.' }))
    .withRow(row('CPU'))
    .withPanel(timeseriesPanel('CPU by mode', 'percentunit', [{ expr: `sum by (mode) (rate(node_cpu_seconds_total{${I},mode!="idle"}[${RATE}])) / scalar(host:node_cpus:count{${I}})`, legend: '{{mode}}' }], { description: 'Share of all cores spent in each mode other than idle; iowait means waiting for disks.', stack: true, min: 0 }))
    .withPanel(timeseriesPanel('Load average', 'short', [{ expr: `node_load1{${I}}`, legend: '1m' }, { expr: `node_load5{${I}}`, legend: '5m' }, { expr: `node_load15{${I}}`, legend: '15m' }, { expr: `host:node_cpus:count{${I}}`, legend: 'cores' }], { description: 'Load averages beside the number of cores.', min: 0 }))
    .withPanel(timeseriesPanel('Context switches and interrupts', 'ops', [{ expr: `rate(node_context_switches_total{${I}}[${RATE}])`, legend: 'context switches' }, { expr: `rate(node_intr_total{${I}}[${RATE}])`, legend: 'interrupts' }], { description: 'Per second.' }))
    .withPanel(timeseriesPanel('Processes', 'short', [{ expr: `node_procs_running{${I}}`, legend: 'running' }, { expr: `node_procs_blocked{${I}}`, legend: 'blocked on I/O' }, { expr: `rate(node_forks_total{${I}}[${RATE}])`, legend: 'forks per second' }], { description: 'Runnable and blocked processes, and new processes per second.' }))
    .withRow(row('Memory'))
    .withPanel(timeseriesPanel('Memory', 'bytes', [
      { expr: `node_memory_MemTotal_bytes{${I}} - node_memory_MemAvailable_bytes{${I}}`, legend: 'used' },
      { expr: `node_memory_Cached_bytes{${I}} + node_memory_Buffers_bytes{${I}}`, legend: 'cache and buffers' },
      { expr: `node_memory_MemFree_bytes{${I}}`, legend: 'free' },
      { expr: `node_memory_MemTotal_bytes{${I}}`, legend: 'total' },
    ], { description: 'Used is total minus available: what programs hold and the kernel cannot reclaim.', min: 0 }))
    .withPanel(timeseriesPanel('Swap', 'bytes', [{ expr: `node_memory_SwapTotal_bytes{${I}} - node_memory_SwapFree_bytes{${I}}`, legend: 'used' }, { expr: `node_memory_SwapTotal_bytes{${I}}`, legend: 'total' }], { description: 'Swap in use; growth with high memory use means the host is short of memory.', min: 0 }))
    .withRow(row('Disks'))
    .withPanel(tablePanel('Filesystems', 'bytes', [
      { title: 'Size', unit: 'bytes', expr: `node_filesystem_size_bytes{${FS}}` },
      { title: 'Available', unit: 'bytes', expr: `node_filesystem_avail_bytes{${FS}}` },
      { title: 'Used', unit: 'percentunit', expr: `1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`, thresholds: [[0.8, 'orange'], [0.9, 'red']] },
      { title: 'Free in 24 h (predicted)', unit: 'bytes', expr: `predict_linear(node_filesystem_avail_bytes{${FS}}[6h], 86400)`, thresholds: [[0, 'green']], base: 'red' },
      { title: 'Read-only', unit: 'none', expr: `node_filesystem_readonly{${FS}}`, mappings: upDown('read-only', 'writable') },
    ], ['__name__', 'instance', 'job', 'host'], { description: 'Every real filesystem: size, free space, and the space left in 24 h if the last 6 h trend goes on (red: full within a day).', h: 7 }))
    .withPanel(timeseriesPanel('Filesystem used', 'percentunit', [{ expr: `1 - host_mountpoint:node_filesystem_avail:ratio{${FS_RULE}}`, legend: '{{mountpoint}}' }], { description: 'Share of each filesystem used.', min: 0, max: 1 }))
    .withPanel(timeseriesPanel('Inodes used', 'percentunit', [{ expr: `1 - host_mountpoint:node_filesystem_files_free:ratio{${FS_RULE}}`, legend: '{{mountpoint}}' }], { description: 'Share of each filesystem\'s inodes used; many small files can fill a disk that has space left.', min: 0, max: 1 }))
    .withPanel(timeseriesPanel('Disk throughput', 'Bps', [{ expr: `rate(node_disk_read_bytes_total{${I}}[${RATE}])`, legend: '{{device}} read' }, { expr: `rate(node_disk_written_bytes_total{${I}}[${RATE}])`, legend: '{{device}} write' }], { description: 'Bytes read and written per second, per disk.' }))
    .withPanel(timeseriesPanel('Disk busy', 'percentunit', [{ expr: `rate(node_disk_io_time_seconds_total{${I}}[${RATE}])`, legend: '{{device}}' }], { description: 'Share of time each disk had I/O in flight; near 100% the disk is the bottleneck.', min: 0, max: 1 }))
    .withRow(row('Network'))
    .withPanel(timeseriesPanel('Network traffic', 'Bps', [{ expr: `rate(node_network_receive_bytes_total{${I},device!="lo"}[${RATE}])`, legend: '{{device}} in' }, { expr: `rate(node_network_transmit_bytes_total{${I},device!="lo"}[${RATE}])`, legend: '{{device}} out' }], { description: 'Bytes received and sent per second, per interface (loopback left out).' }))
    .withPanel(timeseriesPanel('Network errors and drops', 'pps', [
      { expr: `rate(node_network_receive_errs_total{${I},device!="lo"}[${RATE}]) + rate(node_network_transmit_errs_total{${I},device!="lo"}[${RATE}])`, legend: '{{device}} errors' },
      { expr: `rate(node_network_receive_drop_total{${I},device!="lo"}[${RATE}]) + rate(node_network_transmit_drop_total{${I},device!="lo"}[${RATE}])`, legend: '{{device}} drops' },
    ], { description: 'Packets with errors or dropped, per second; anything steady above zero is worth a look.', min: 0 }))
    .withPanel(timeseriesPanel('Network error ratio', 'percentunit', [{ expr: `host_device:node_network_errors:ratio_rate5m{${I}}`, legend: '{{device}}' }], { description: 'Packets in error over all packets, 5-minute rate; the HostNetworkErrors alert fires over 1%. Only when an interface moves packets.', min: 0 }))
    .withRow(row('System'))
    .withPanel(timeseriesPanel('Clock offset at scrape', 's', [{ expr: `host:node_time_offset:seconds{${I}}`, legend: 'host clock minus Prometheus' }], { description: 'The host clock minus the scrape time; beyond a few seconds TLS, logs and alerts go wrong.' }))
    .withPanel(timeseriesPanel('Vigil collectors', 'none', [{ expr: `vigil_collector_success{${I}}`, legend: '{{collector}}' }], { description: 'Each host collector: 1 when its last run succeeded.', min: 0, max: 1, mappings: upDown('ok', 'failing') }));
}
