import { RUNNER_FAMILIES } from '../../core/collector';
import { defineFamilies } from '../../core/exposition';
import { SCRAPE_FAMILIES } from './scrape-families';

/**
 * The host part's families: node_exporter's names, as the collectors render them (grouped by
 * collector; test/exporters/host/families.test.ts checks this list against every collector's
 * golden output both ways). Names and labels are validated when this module loads.
 *
 * Three collectors name families after what the kernel lists, as node_exporter does, so they are
 * declared by prefix (HOST_FAMILY_PREFIXES): meminfo (`node_memory_<Field>`), netstat
 * (`node_netstat_<Proto>_<Name>`, as `netstat.fields` selects) and vmstat (`node_vmstat_<field>`).
 * The textfile collector passes through the families of the operator's files, which belong to no
 * part; only its own node_textfile_* families are declared.
 */
export const HOST_COLLECTOR_FAMILIES = defineFamilies([
  // arp
  { name: 'node_arp_entries', type: 'gauge', help: "ARP entries by device", labels: ['device'] },
  // conntrack
  { name: 'node_nf_conntrack_entries', type: 'gauge', help: "Number of currently allocated flow entries for connection tracking.", labels: [] },
  { name: 'node_nf_conntrack_entries_limit', type: 'gauge', help: "Maximum size of connection tracking table.", labels: [] },
  { name: 'node_nf_conntrack_stat_found', type: 'gauge', help: "Number of searched entries which were successful.", labels: [] },
  { name: 'node_nf_conntrack_stat_invalid', type: 'gauge', help: "Number of packets seen which can not be tracked.", labels: [] },
  { name: 'node_nf_conntrack_stat_ignore', type: 'gauge', help: "Number of packets seen which are already connected to a conntrack entry.", labels: [] },
  { name: 'node_nf_conntrack_stat_insert', type: 'gauge', help: "Number of entries inserted into the list.", labels: [] },
  { name: 'node_nf_conntrack_stat_insert_failed', type: 'gauge', help: "Number of entries for which list insertion was attempted but failed.", labels: [] },
  { name: 'node_nf_conntrack_stat_drop', type: 'gauge', help: "Number of packets dropped due to conntrack failure.", labels: [] },
  { name: 'node_nf_conntrack_stat_early_drop', type: 'gauge', help: "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.", labels: [] },
  { name: 'node_nf_conntrack_stat_search_restart', type: 'gauge', help: "Number of conntrack table lookups which had to be restarted due to hashtable resizes.", labels: [] },
  // cpu
  { name: 'node_cpu_guest_seconds_total', type: 'counter', help: "Seconds the CPUs spent in guests (VMs) for each mode.", labels: ['cpu', 'mode'] },
  { name: 'node_cpu_seconds_total', type: 'counter', help: "Seconds the CPUs spent in each mode.", labels: ['cpu', 'mode'] },
  // diskstats
  { name: 'node_disk_reads_completed_total', type: 'counter', help: "The total number of reads completed successfully.", labels: ['device'] },
  { name: 'node_disk_reads_merged_total', type: 'counter', help: "The total number of reads merged.", labels: ['device'] },
  { name: 'node_disk_read_bytes_total', type: 'counter', help: "The total number of bytes read successfully.", labels: ['device'] },
  { name: 'node_disk_read_time_seconds_total', type: 'counter', help: "The total number of seconds spent by all reads.", labels: ['device'] },
  { name: 'node_disk_writes_completed_total', type: 'counter', help: "The total number of writes completed successfully.", labels: ['device'] },
  { name: 'node_disk_writes_merged_total', type: 'counter', help: "The number of writes merged.", labels: ['device'] },
  { name: 'node_disk_written_bytes_total', type: 'counter', help: "The total number of bytes written successfully.", labels: ['device'] },
  { name: 'node_disk_write_time_seconds_total', type: 'counter', help: "This is the total number of seconds spent by all writes.", labels: ['device'] },
  { name: 'node_disk_io_now', type: 'gauge', help: "The number of I/Os currently in progress.", labels: ['device'] },
  { name: 'node_disk_io_time_seconds_total', type: 'counter', help: "Total seconds spent doing I/Os.", labels: ['device'] },
  { name: 'node_disk_io_time_weighted_seconds_total', type: 'counter', help: "The weighted # of seconds spent doing I/Os.", labels: ['device'] },
  { name: 'node_disk_discards_completed_total', type: 'counter', help: "The total number of discards completed successfully.", labels: ['device'] },
  { name: 'node_disk_discards_merged_total', type: 'counter', help: "The total number of discards merged.", labels: ['device'] },
  { name: 'node_disk_discarded_sectors_total', type: 'counter', help: "The total number of sectors discarded successfully.", labels: ['device'] },
  { name: 'node_disk_discard_time_seconds_total', type: 'counter', help: "This is the total number of seconds spent by all discards.", labels: ['device'] },
  { name: 'node_disk_flush_requests_total', type: 'counter', help: "The total number of flush requests completed successfully", labels: ['device'] },
  { name: 'node_disk_flush_requests_time_seconds_total', type: 'counter', help: "This is the total number of seconds spent by all flush requests.", labels: ['device'] },
  // entropy
  { name: 'node_entropy_available_bits', type: 'gauge', help: "Bits of available entropy.", labels: [] },
  { name: 'node_entropy_pool_size_bits', type: 'gauge', help: "Bits of entropy pool.", labels: [] },
  // filefd
  { name: 'node_filefd_allocated', type: 'gauge', help: "File descriptor statistics: allocated.", labels: [] },
  { name: 'node_filefd_maximum', type: 'gauge', help: "File descriptor statistics: maximum.", labels: [] },
  // filesystem
  { name: 'node_filesystem_avail_bytes', type: 'gauge', help: "Filesystem space available to non-root users in bytes.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_device_error', type: 'gauge', help: "Whether an error occurred while getting statistics for the given device.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_files', type: 'gauge', help: "Filesystem total file nodes.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_files_free', type: 'gauge', help: "Filesystem total free file nodes.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_free_bytes', type: 'gauge', help: "Filesystem free space in bytes.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_readonly', type: 'gauge', help: "Filesystem read-only status.", labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_filesystem_size_bytes', type: 'gauge', help: "Filesystem size in bytes.", labels: ['device', 'fstype', 'mountpoint'] },
  // hwmon
  { name: 'node_hwmon_chip_names', type: 'gauge', help: "Annotation metric for human-readable chip names", labels: ['chip', 'chip_name'] },
  { name: 'node_hwmon_temp_crit_celsius', type: 'gauge', help: "Hardware monitor for temperature (crit)", labels: ['chip', 'sensor'] },
  { name: 'node_hwmon_temp_crit_hyst_celsius', type: 'gauge', help: "Hardware monitor for temperature (crit_hyst)", labels: ['chip', 'sensor'] },
  { name: 'node_hwmon_temp_celsius', type: 'gauge', help: "Hardware monitor for temperature (input)", labels: ['chip', 'sensor'] },
  { name: 'node_hwmon_temp_crit_alarm_celsius', type: 'gauge', help: "Hardware monitor for temperature (crit_alarm)", labels: ['chip', 'sensor'] },
  { name: 'node_hwmon_sensor_label', type: 'gauge', help: "Label for given chip and sensor", labels: ['chip', 'label', 'sensor'] },
  { name: 'node_hwmon_temp_max_celsius', type: 'gauge', help: "Hardware monitor for temperature (max)", labels: ['chip', 'sensor'] },
  // loadavg
  { name: 'node_load1', type: 'gauge', help: "1m load average.", labels: [] },
  { name: 'node_load5', type: 'gauge', help: "5m load average.", labels: [] },
  { name: 'node_load15', type: 'gauge', help: "15m load average.", labels: [] },
  // netclass
  { name: 'node_network_up', type: 'gauge', help: "Value is 1 if operstate is 'up', 0 otherwise.", labels: ['device'] },
  { name: 'node_network_info', type: 'gauge', help: "Non-numeric data from /sys/class/net/<iface>, value is always 1.", labels: ['address', 'broadcast', 'device', 'duplex', 'ifalias', 'operstate'] },
  { name: 'node_network_address_assign_type', type: 'gauge', help: "Network device property: address_assign_type", labels: ['device'] },
  { name: 'node_network_carrier', type: 'gauge', help: "Network device property: carrier", labels: ['device'] },
  { name: 'node_network_carrier_changes_total', type: 'counter', help: "Network device property: carrier_changes_total", labels: ['device'] },
  { name: 'node_network_carrier_up_changes_total', type: 'counter', help: "Network device property: carrier_up_changes_total", labels: ['device'] },
  { name: 'node_network_carrier_down_changes_total', type: 'counter', help: "Network device property: carrier_down_changes_total", labels: ['device'] },
  { name: 'node_network_device_id', type: 'gauge', help: "Network device property: device_id", labels: ['device'] },
  { name: 'node_network_dormant', type: 'gauge', help: "Network device property: dormant", labels: ['device'] },
  { name: 'node_network_flags', type: 'gauge', help: "Network device property: flags", labels: ['device'] },
  { name: 'node_network_iface_id', type: 'gauge', help: "Network device property: iface_id", labels: ['device'] },
  { name: 'node_network_iface_link', type: 'gauge', help: "Network device property: iface_link", labels: ['device'] },
  { name: 'node_network_iface_link_mode', type: 'gauge', help: "Network device property: iface_link_mode", labels: ['device'] },
  { name: 'node_network_mtu_bytes', type: 'gauge', help: "Network device property: mtu_bytes", labels: ['device'] },
  { name: 'node_network_name_assign_type', type: 'gauge', help: "Network device property: name_assign_type", labels: ['device'] },
  { name: 'node_network_net_dev_group', type: 'gauge', help: "Network device property: net_dev_group", labels: ['device'] },
  { name: 'node_network_speed_bytes', type: 'gauge', help: "Network device property: speed_bytes", labels: ['device'] },
  { name: 'node_network_transmit_queue_length', type: 'gauge', help: "Network device property: transmit_queue_length", labels: ['device'] },
  { name: 'node_network_protocol_type', type: 'gauge', help: "Network device property: protocol_type", labels: ['device'] },
  // netdev
  { name: 'node_network_receive_bytes_total', type: 'counter', help: "Network device statistic receive_bytes.", labels: ['device'] },
  { name: 'node_network_receive_packets_total', type: 'counter', help: "Network device statistic receive_packets.", labels: ['device'] },
  { name: 'node_network_receive_errs_total', type: 'counter', help: "Network device statistic receive_errs.", labels: ['device'] },
  { name: 'node_network_receive_drop_total', type: 'counter', help: "Network device statistic receive_drop.", labels: ['device'] },
  { name: 'node_network_receive_fifo_total', type: 'counter', help: "Network device statistic receive_fifo.", labels: ['device'] },
  { name: 'node_network_receive_frame_total', type: 'counter', help: "Network device statistic receive_frame.", labels: ['device'] },
  { name: 'node_network_receive_compressed_total', type: 'counter', help: "Network device statistic receive_compressed.", labels: ['device'] },
  { name: 'node_network_receive_multicast_total', type: 'counter', help: "Network device statistic receive_multicast.", labels: ['device'] },
  { name: 'node_network_receive_nohandler_total', type: 'counter', help: "Network device statistic receive_nohandler.", labels: ['device'] },
  { name: 'node_network_transmit_bytes_total', type: 'counter', help: "Network device statistic transmit_bytes.", labels: ['device'] },
  { name: 'node_network_transmit_packets_total', type: 'counter', help: "Network device statistic transmit_packets.", labels: ['device'] },
  { name: 'node_network_transmit_errs_total', type: 'counter', help: "Network device statistic transmit_errs.", labels: ['device'] },
  { name: 'node_network_transmit_drop_total', type: 'counter', help: "Network device statistic transmit_drop.", labels: ['device'] },
  { name: 'node_network_transmit_fifo_total', type: 'counter', help: "Network device statistic transmit_fifo.", labels: ['device'] },
  { name: 'node_network_transmit_colls_total', type: 'counter', help: "Network device statistic transmit_colls.", labels: ['device'] },
  { name: 'node_network_transmit_carrier_total', type: 'counter', help: "Network device statistic transmit_carrier.", labels: ['device'] },
  { name: 'node_network_transmit_compressed_total', type: 'counter', help: "Network device statistic transmit_compressed.", labels: ['device'] },
  // pressure
  { name: 'node_pressure_cpu_waiting_seconds_total', type: 'counter', help: "Total time in seconds that processes have waited for CPU time", labels: [] },
  { name: 'node_pressure_io_waiting_seconds_total', type: 'counter', help: "Total time in seconds that processes have waited due to IO congestion", labels: [] },
  { name: 'node_pressure_io_stalled_seconds_total', type: 'counter', help: "Total time in seconds no process could make progress due to IO congestion", labels: [] },
  { name: 'node_pressure_memory_waiting_seconds_total', type: 'counter', help: "Total time in seconds that processes have waited for memory", labels: [] },
  { name: 'node_pressure_memory_stalled_seconds_total', type: 'counter', help: "Total time in seconds no process could make progress due to memory congestion", labels: [] },
  // schedstat
  { name: 'node_schedstat_running_seconds_total', type: 'counter', help: "Number of seconds CPU spent running a process.", labels: ['cpu'] },
  { name: 'node_schedstat_waiting_seconds_total', type: 'counter', help: "Number of seconds spent by processing waiting for this CPU.", labels: ['cpu'] },
  { name: 'node_schedstat_timeslices_total', type: 'counter', help: "Number of timeslices executed by CPU.", labels: ['cpu'] },
  // sockstat
  { name: 'node_sockstat_sockets_used', type: 'gauge', help: "Number of IPv4 sockets in use.", labels: [] },
  { name: 'node_sockstat_TCP_inuse', type: 'gauge', help: "Number of TCP sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_TCP_orphan', type: 'gauge', help: "Number of TCP sockets in state orphan.", labels: [] },
  { name: 'node_sockstat_TCP_tw', type: 'gauge', help: "Number of TCP sockets in state tw.", labels: [] },
  { name: 'node_sockstat_TCP_alloc', type: 'gauge', help: "Number of TCP sockets in state alloc.", labels: [] },
  { name: 'node_sockstat_TCP_mem', type: 'gauge', help: "Number of TCP sockets in state mem.", labels: [] },
  { name: 'node_sockstat_TCP_mem_bytes', type: 'gauge', help: "Number of TCP sockets in state mem_bytes.", labels: [] },
  { name: 'node_sockstat_UDP_inuse', type: 'gauge', help: "Number of UDP sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_UDP_mem', type: 'gauge', help: "Number of UDP sockets in state mem.", labels: [] },
  { name: 'node_sockstat_UDP_mem_bytes', type: 'gauge', help: "Number of UDP sockets in state mem_bytes.", labels: [] },
  { name: 'node_sockstat_UDPLITE_inuse', type: 'gauge', help: "Number of UDPLITE sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_RAW_inuse', type: 'gauge', help: "Number of RAW sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_FRAG_inuse', type: 'gauge', help: "Number of FRAG sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_FRAG_memory', type: 'gauge', help: "Number of FRAG sockets in state memory.", labels: [] },
  { name: 'node_sockstat_TCP6_inuse', type: 'gauge', help: "Number of TCP6 sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_UDP6_inuse', type: 'gauge', help: "Number of UDP6 sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_UDPLITE6_inuse', type: 'gauge', help: "Number of UDPLITE6 sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_RAW6_inuse', type: 'gauge', help: "Number of RAW6 sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_FRAG6_inuse', type: 'gauge', help: "Number of FRAG6 sockets in state inuse.", labels: [] },
  { name: 'node_sockstat_FRAG6_memory', type: 'gauge', help: "Number of FRAG6 sockets in state memory.", labels: [] },
  // softnet
  { name: 'node_softnet_processed_total', type: 'counter', help: "Number of processed packets", labels: ['cpu'] },
  { name: 'node_softnet_dropped_total', type: 'counter', help: "Number of dropped packets", labels: ['cpu'] },
  { name: 'node_softnet_times_squeezed_total', type: 'counter', help: "Number of times processing packets ran out of quota", labels: ['cpu'] },
  // stat
  { name: 'node_boot_time_seconds', type: 'gauge', help: "Node boot time, in unixtime.", labels: [] },
  { name: 'node_context_switches_total', type: 'counter', help: "Total number of context switches.", labels: [] },
  { name: 'node_forks_total', type: 'counter', help: "Total number of forks.", labels: [] },
  { name: 'node_intr_total', type: 'counter', help: "Total number of interrupts serviced.", labels: [] },
  { name: 'node_procs_blocked', type: 'gauge', help: "Number of processes blocked waiting for I/O to complete.", labels: [] },
  { name: 'node_procs_running', type: 'gauge', help: "Number of processes in runnable state.", labels: [] },
  // textfile
  { name: 'node_textfile_mtime_seconds', type: 'gauge', help: "Unixtime mtime of textfiles successfully read.", labels: ['file'] },
  { name: 'node_textfile_scrape_error', type: 'gauge', help: "1 if there was an error opening or reading a file, 0 otherwise", labels: [] },
  // time
  { name: 'node_time_clocksource_available_info', type: 'gauge', help: "Available clocksources read from '/sys/devices/system/clocksource'.", labels: ['clocksource', 'device'] },
  { name: 'node_time_clocksource_current_info', type: 'gauge', help: "Current clocksource read from '/sys/devices/system/clocksource'.", labels: ['clocksource', 'device'] },
  { name: 'node_time_seconds', type: 'gauge', help: "System time in seconds since epoch (1970).", labels: [] },
  { name: 'node_time_zone_offset_seconds', type: 'gauge', help: "System time zone offset in seconds.", labels: ['time_zone'] },
  // timex (node_exporter's order; the fallback without adjtimex renders tick_seconds and sync_status only)
  { name: 'node_timex_sync_status', type: 'gauge', help: "Is clock synchronized to a reliable server (1 = yes, 0 = no).", labels: [] },
  { name: 'node_timex_offset_seconds', type: 'gauge', help: "Time offset in between local system and reference clock.", labels: [] },
  { name: 'node_timex_frequency_adjustment_ratio', type: 'gauge', help: "Local clock frequency adjustment.", labels: [] },
  { name: 'node_timex_maxerror_seconds', type: 'gauge', help: "Maximum error in seconds.", labels: [] },
  { name: 'node_timex_estimated_error_seconds', type: 'gauge', help: "Estimated error in seconds.", labels: [] },
  { name: 'node_timex_status', type: 'gauge', help: "Value of the status array bits.", labels: [] },
  { name: 'node_timex_loop_time_constant', type: 'gauge', help: "Phase-locked loop time constant.", labels: [] },
  { name: 'node_timex_tick_seconds', type: 'gauge', help: "Seconds between clock ticks.", labels: [] },
  { name: 'node_timex_pps_frequency_hertz', type: 'gauge', help: "Pulse per second frequency.", labels: [] },
  { name: 'node_timex_pps_jitter_seconds', type: 'gauge', help: "Pulse per second jitter.", labels: [] },
  { name: 'node_timex_pps_shift_seconds', type: 'gauge', help: "Pulse per second interval duration.", labels: [] },
  { name: 'node_timex_pps_stability_hertz', type: 'gauge', help: "Pulse per second stability, average of recent frequency changes.", labels: [] },
  { name: 'node_timex_pps_jitter_total', type: 'counter', help: "Pulse per second count of jitter limit exceeded events.", labels: [] },
  { name: 'node_timex_pps_calibration_total', type: 'counter', help: "Pulse per second count of calibration intervals.", labels: [] },
  { name: 'node_timex_pps_error_total', type: 'counter', help: "Pulse per second count of calibration errors.", labels: [] },
  { name: 'node_timex_pps_stability_exceeded_total', type: 'counter', help: "Pulse per second count of stability limit exceeded events.", labels: [] },
  { name: 'node_timex_tai_offset_seconds', type: 'gauge', help: "International Atomic Time (TAI) offset.", labels: [] },
  // uname
  { name: 'node_uname_info', type: 'gauge', help: "Labeled system information as provided by the uname system call.", labels: ['domainname', 'machine', 'nodename', 'release', 'sysname', 'version'] },
]);

/** Families the host part names at run time from kernel lists; no other part may use these prefixes. */
export const HOST_FAMILY_PREFIXES = ['node_memory_', 'node_netstat_', 'node_vmstat_'] as const;

/** Every family name the host part serves (collectors, node_scrape_collector_*, vigil_collector_*). */
export const HOST_FAMILIES = [...HOST_COLLECTOR_FAMILIES, ...SCRAPE_FAMILIES, ...RUNNER_FAMILIES];
