import type { CollectorOutcome } from '../../core/collector';
import type { MetricFamily } from '../../core/exposition';

/**
 * Pure: node_exporter's own per-collector families, which the "Node Exporter" row of host boards
 * reads. The runner's vigil_collector_* families stay alongside for Vigil's rules.
 */
export function nodeScrapeFamilies(outcomes: readonly CollectorOutcome[]): MetricFamily[] {
  return [
    {
      name: 'node_scrape_collector_duration_seconds',
      help: 'node_exporter: Duration of a collector scrape.',
      type: 'gauge',
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.durationSeconds })),
    },
    {
      name: 'node_scrape_collector_success',
      help: 'node_exporter: Whether a collector succeeded.',
      type: 'gauge',
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.success ? 1 : 0 })),
    },
  ];
}
