import type { CollectorOutcome } from '../../core/collector';
import { byName, defineFamilies, type MetricFamily } from '../../core/exposition';

/** node_exporter's per-collector families, declared once. */
export const SCRAPE_FAMILIES = defineFamilies([
  { name: 'node_scrape_collector_duration_seconds', type: 'gauge', help: 'node_exporter: Duration of a collector scrape.', labels: ['collector'] },
  { name: 'node_scrape_collector_success', type: 'gauge', help: 'node_exporter: Whether a collector succeeded.', labels: ['collector'] },
]);
const F = byName(SCRAPE_FAMILIES);

/**
 * Pure: node_exporter's own per-collector families, which the "Node Exporter" row of host boards
 * reads. The runner's vigil_collector_* families stay alongside for Vigil's rules.
 */
export function nodeScrapeFamilies(outcomes: readonly CollectorOutcome[]): MetricFamily[] {
  return [
    {
      ...F.node_scrape_collector_duration_seconds,
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.durationSeconds })),
    },
    {
      ...F.node_scrape_collector_success,
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.success ? 1 : 0 })),
    },
  ];
}
