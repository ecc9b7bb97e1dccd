import { join } from 'node:path';
import type { Collector } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';
import type { FileReader } from './file-reader';
import { readOptional } from './read-optional';

/** One protocol line of /proc/net/sockstat: "TCP: inuse 5 orphan 0 tw 0 alloc 7 mem 1". */
export interface SockstatLine {
  readonly protocol: string;
  readonly values: ReadonlyMap<string, number>;
}

/** Pure: parses /proc/net/sockstat or sockstat6 into protocol lines ("sockets: used 290" included). */
export function parseSockstat(text: string, file = '/proc/net/sockstat'): SockstatLine[] {
  const out: SockstatLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [head, ...rest] = line.trim().split(/\s+/);
    if (!head?.endsWith(':') || rest.length % 2 !== 0 || rest.length === 0) throw new Error(`${file}: malformed line ${JSON.stringify(line)}`);
    const values = new Map<string, number>();
    for (let i = 0; i < rest.length; i += 2) {
      const value = Number(rest[i + 1]);
      if (!Number.isFinite(value)) throw new Error(`${file}: invalid value in ${JSON.stringify(line)}`);
      values.set(rest[i] as string, value);
    }
    out.push({ protocol: head.slice(0, -1), values });
  }
  return out;
}

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });

/**
 * Pure: node_exporter's sockstat families; "mem" (pages) is also given as mem_bytes, and
 * "sockets: used" as node_sockstat_sockets_used.
 */
export function sockstatFamilies(lines: readonly SockstatLine[], pageSize: number): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const { protocol, values } of lines) {
    if (protocol === 'sockets') {
      const used = values.get('used');
      if (used !== undefined) out.push(gauge('node_sockstat_sockets_used', 'Number of IPv4 sockets in use.', used));
      continue;
    }
    for (const [state, value] of values) {
      out.push(gauge(`node_sockstat_${protocol}_${state}`, `Number of ${protocol} sockets in state ${state}.`, value));
      if (state === 'mem') out.push(gauge(`node_sockstat_${protocol}_mem_bytes`, `Number of ${protocol} sockets in state mem_bytes.`, value * pageSize));
    }
  }
  return out;
}

/** node_exporter's sockstat collector: /proc/net/sockstat and, with IPv6, sockstat6. */
export function createSockstatCollector(deps: { readonly reader: FileReader; readonly procfs: string; readonly pageSize: number }): Collector {
  const v4Path = join(deps.procfs, 'net', 'sockstat');
  const v6Path = join(deps.procfs, 'net', 'sockstat6');
  return {
    name: 'sockstat',
    collect() {
      const v4 = deps.reader.read(v4Path, { single: true });
      const v6 = readOptional(deps.reader, v6Path, { single: true });
      const lines = [...parseSockstat(v4), ...(v6 === undefined ? [] : parseSockstat(v6, '/proc/net/sockstat6'))];
      return sockstatFamilies(lines, deps.pageSize);
    },
  };
}
