import { Counter, Gauge, Registry } from 'prom-client';
import { byName, defineFamilies, promOptions } from '../core/exposition';

export const RECORD_RESULTS = ['acked', 'retried', 'dead_lettered', 'dropped'] as const;
export type RecordResult = (typeof RECORD_RESULTS)[number];

/** Every family of the shipper, declared once; its registry is built from these. */
export const SHIPPER_FAMILIES = defineFamilies([
  {
    name: 'vigil_shipper_records_total',
    type: 'counter',
    help: 'Log records by outcome: acked (delivered or duplicate), retried (an attempt to be repeated), dead_lettered (permanently rejected), dropped (spool overflow or write failure).',
    labels: ['result'],
  },
  { name: 'vigil_shipper_spool_bytes', type: 'gauge', help: 'Bytes of the on-disk spool (segment files), acknowledged or not.', labels: [] },
  {
    name: 'vigil_shipper_oldest_unacked_age_seconds',
    type: 'gauge',
    help: 'Age of the oldest record not yet acknowledged by the output (0 when everything is delivered).',
    labels: [],
  },
  { name: 'vigil_shipper_up', type: 'gauge', help: 'Whether the last request to the output succeeded (1) or not (0).', labels: [] },
]);
const F = byName(SHIPPER_FAMILIES);

export interface ShipperMetricSources {
  spoolBytes(): number;
  oldestUnackedAgeSeconds(): Promise<number>;
  up(): boolean;
}

export interface ShipperMetrics {
  readonly registry: Registry;
  count(result: RecordResult, n: number): void;
}

/** The shipper's own registry (never the global one). */
export function createShipperMetrics(sources: ShipperMetricSources): ShipperMetrics {
  const registry = new Registry();
  const records = new Counter({
    ...promOptions(F.vigil_shipper_records_total),
    registers: [registry],
  });
  for (const r of RECORD_RESULTS) records.inc({ result: r }, 0);
  new Gauge({
    ...promOptions(F.vigil_shipper_spool_bytes),
    registers: [registry],
    collect() {
      this.set(sources.spoolBytes());
    },
  });
  new Gauge({
    ...promOptions(F.vigil_shipper_oldest_unacked_age_seconds),
    registers: [registry],
    async collect() {
      this.set(await sources.oldestUnackedAgeSeconds());
    },
  });
  new Gauge({
    ...promOptions(F.vigil_shipper_up),
    registers: [registry],
    collect() {
      this.set(sources.up() ? 1 : 0);
    },
  });
  return {
    registry,
    count(result, n) {
      if (n > 0) records.inc({ result }, n);
    },
  };
}
