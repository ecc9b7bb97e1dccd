import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily, Sample } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { inodeOf, isAbsent, readOptional } from './read-optional';

/** The attributes of /sys/class/net/<iface> node_exporter reads. */
export const NETCLASS_ATTRIBUTES = [
  'addr_assign_type', 'address', 'broadcast', 'carrier', 'carrier_changes', 'carrier_down_count', 'carrier_up_count',
  'dev_id', 'dormant', 'duplex', 'flags', 'ifalias', 'ifindex', 'iflink', 'link_mode', 'mtu', 'name_assign_type',
  'netdev_group', 'operstate', 'speed', 'tx_queue_len', 'type',
] as const;
export type NetclassAttribute = (typeof NETCLASS_ATTRIBUTES)[number];

/** One interface: its attributes as the kernel wrote them (trailing newline removed); absent ones left out. */
export interface NetInterface {
  readonly device: string;
  readonly attrs: Partial<Record<NetclassAttribute, string>>;
}

/** The numeric properties, in node_exporter's order: exported name, attribute, type. */
const NUMERIC: readonly (readonly [name: string, attr: NetclassAttribute, type: 'gauge' | 'counter'])[] = [
  ['address_assign_type', 'addr_assign_type', 'gauge'],
  ['carrier', 'carrier', 'gauge'],
  ['carrier_changes_total', 'carrier_changes', 'counter'],
  ['carrier_up_changes_total', 'carrier_up_count', 'counter'],
  ['carrier_down_changes_total', 'carrier_down_count', 'counter'],
  ['device_id', 'dev_id', 'gauge'],
  ['dormant', 'dormant', 'gauge'],
  ['flags', 'flags', 'gauge'],
  ['iface_id', 'ifindex', 'gauge'],
  ['iface_link', 'iflink', 'gauge'],
  ['iface_link_mode', 'link_mode', 'gauge'],
  ['mtu_bytes', 'mtu', 'gauge'],
  ['name_assign_type', 'name_assign_type', 'gauge'],
  ['net_dev_group', 'netdev_group', 'gauge'],
  ['speed_bytes', 'speed', 'gauge'],
  ['transmit_queue_length', 'tx_queue_len', 'gauge'],
  ['protocol_type', 'type', 'gauge'],
];

/** Pure: an integer attribute, decimal or 0x-hexadecimal (dev_id, flags) as Go's ParseInt(s, 0, 64) reads them. */
export function parseIntAttr(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  const v = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : Number(body);
  return neg ? -v : v;
}

/** Pure: node_exporter's netclass families (speed from Mbit/s to bytes/s, -1 "unknown" kept as there). */
export function netclassFamilies(ifaces: readonly NetInterface[]): MetricFamily[] {
  const up: Sample[] = [];
  const info: Sample[] = [];
  const numeric = new Map<string, Sample[]>(NUMERIC.map(([name]) => [name, []]));
  for (const { device, attrs } of ifaces) {
    up.push({ labels: { device }, value: attrs.operstate === 'up' ? 1 : 0 });
    info.push({
      labels: {
        address: attrs.address ?? '',
        broadcast: attrs.broadcast ?? '',
        device,
        duplex: attrs.duplex ?? '',
        ifalias: attrs.ifalias ?? '',
        operstate: attrs.operstate ?? '',
      },
      value: 1,
    });
    for (const [name, attr] of NUMERIC) {
      const raw = attrs[attr];
      const v = raw === undefined ? undefined : parseIntAttr(raw);
      if (v === undefined) continue;
      numeric.get(name)?.push({ labels: { device }, value: name === 'speed_bytes' ? (v * 1000 * 1000) / 8 : v });
    }
  }
  return [
    { name: 'node_network_up', help: "Value is 1 if operstate is 'up', 0 otherwise.", type: 'gauge', samples: up },
    { name: 'node_network_info', help: 'Non-numeric data from /sys/class/net/<iface>, value is always 1.', type: 'gauge', samples: info },
    ...NUMERIC.filter(([name]) => (numeric.get(name)?.length ?? 0) > 0).map(([name, , type]) => ({
      name: `node_network_${name}`,
      help: `Network device property: ${name}`,
      type,
      samples: numeric.get(name) ?? [],
    })),
  ];
}

/**
 * Attributes that cannot change while an interface exists: its index, and the dev_id its driver
 * gives it when the device is set up (sysfs offers no way to write it). Read once per interface.
 * Others that look fixed are not: addr_assign_type changes when the MAC address is set, type when
 * a bond or team takes on its first port's link type, iflink when a tunnel is moved to another
 * underlying device, name_assign_type when the interface is renamed.
 */
const FIXED_ATTRIBUTES: ReadonlySet<NetclassAttribute> = new Set(['ifindex', 'dev_id']);

/** An interface as last seen. */
interface SeenInterface {
  /** Its entry in sysfs/class/net. */
  readonly link: string;
  /**
   * The inode of that entry: its identity. The kernel makes the entry when the device registers
   * and removes it when the device goes, so an interface deleted and another created under the
   * same name between two scrapes shows a new inode (kept-open attribute files would otherwise
   * still read the old device).
   */
  readonly ino: number;
  /** Its attribute paths, in NETCLASS_ATTRIBUTES order. */
  readonly files: readonly string[];
  /** FIXED_ATTRIBUTES once read (undefined: the interface has no such attribute). */
  readonly fixed: Map<NetclassAttribute, string | undefined>;
}

/**
 * node_exporter's netclass collector: every interface under sysfs/class/net (less `device_exclude`),
 * each attribute read through the kept-open reader. Attributes a device does not have (EINVAL for
 * the carrier of a down link, ENOENT) are left out, as node_exporter does.
 */
export function createNetclassCollector(deps: {
  readonly reader: FileReader;
  readonly sysfs: string;
  readonly deviceExclude?: RegExp | undefined;
}): Collector {
  const dir = join(deps.sysfs, 'class', 'net');
  /** Each interface seen last scrape, by name. */
  let seen = new Map<string, SeenInterface>();
  const forget = (iface: SeenInterface): void => {
    for (const f of iface.files) deps.reader.forget(f);
  };
  const readIface = (device: string, iface: SeenInterface): NetInterface | undefined => {
    const attrs: Partial<Record<NetclassAttribute, string>> = {};
    try {
      for (let i = 0; i < NETCLASS_ATTRIBUTES.length; i++) {
        const attr = NETCLASS_ATTRIBUTES[i] as NetclassAttribute;
        let text: string | undefined;
        if (iface.fixed.has(attr)) text = iface.fixed.get(attr);
        else {
          const raw = readOptional(deps.reader, iface.files[i] as string, { single: true });
          text = raw !== undefined && raw.endsWith('\n') ? raw.slice(0, -1) : raw;
          if (FIXED_ATTRIBUTES.has(attr)) iface.fixed.set(attr, text);
        }
        if (text !== undefined) attrs[attr] = text;
      }
    } catch (err) {
      if (isAbsent(err)) return undefined; // the interface went away mid-scrape
      throw err;
    }
    return { device, attrs };
  };
  return {
    name: 'netclass',
    collect() {
      const devices = readdirSync(dir).filter((d) => !deps.deviceExclude?.test(d)).sort();
      const next = new Map<string, SeenInterface>();
      for (const device of devices) {
        const known = seen.get(device);
        const ino = inodeOf(known?.link ?? join(dir, device));
        if (ino === undefined) continue; // gone since the listing
        if (known?.ino === ino) {
          next.set(device, known);
          continue;
        }
        // New here, or another device under a name seen before: nothing of the old one is kept.
        if (known) forget(known);
        next.set(device, { link: join(dir, device), ino, files: NETCLASS_ATTRIBUTES.map((a) => join(dir, device, a)), fixed: new Map() });
      }
      for (const [device, iface] of seen) if (next.get(device) !== iface) forget(iface);
      seen = next;
      const ifaces: NetInterface[] = [];
      for (const [device, iface] of next) {
        const read = readIface(device, iface);
        if (read) ifaces.push(read);
      }
      return netclassFamilies(ifaces);
    },
  };
}
