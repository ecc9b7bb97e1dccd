/**
 * Issue 11 must-hold: every query of "Node Exporter Full" (rfmoz/grafana-dashboards, copied in
 * test/fixtures/host/node-exporter-full/queries.json) that answers for Debian's node_exporter with
 * its default collectors also answers for Vigil, both scraped by one real Prometheus on loopback.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familiesOf, loadBoard, panelsAnswered, substitute } from '../helpers/board-queries';
import { startNodeExporter } from '../helpers/node-exporter';
import { startPrometheus } from '../helpers/prometheus';
import { startVigil } from '../helpers/vigil';

const SCRAPE_SECONDS = 1;
const JOB = 'node';

/**
 * Families node_exporter reads with adjtimex(2), which Node cannot call and whose values the kernel
 * exposes in no procfs or sysfs file (exporters/host/README.md, "timex"). node_timex_sync_status is
 * answered where systemd-timesyncd runs; node_timex_tick_seconds always.
 */
const ADJTIMEX_ONLY = new Set([
  'node_timex_estimated_error_seconds',
  'node_timex_offset_seconds',
  'node_timex_maxerror_seconds',
  'node_timex_loop_time_constant',
  'node_timex_frequency_adjustment_ratio',
  'node_timex_tai_offset_seconds',
  'node_timex_sync_status',
]);

test('every Node Exporter Full query that answers for node_exporter answers for Vigil', { timeout: 120_000 }, async (t) => {
  const board = await loadBoard();
  const vigil = await startVigil('projects: {enabled: false}\ndeployments: {enabled: false}\nshipper: {enabled: false}\n');
  const nodeExporter = await startNodeExporter();
  const vigilTarget = new URL(vigil.url).host;
  const prometheus = await startPrometheus({ targets: [vigilTarget, nodeExporter.target], jobName: JOB, scrapeInterval: `${SCRAPE_SECONDS}s` });
  try {
    // rate() over 4 x the scrape interval needs a few samples of both targets.
    await prometheus.waitFor('count_over_time(up[5s]) >= 4', (r) => r.length === 2 && r.every((s) => s.metric.instance !== undefined), 60_000);
    assert.deepEqual((await prometheus.query('up == 1')).length, 2, 'both targets up');

    const vars = (node: string): Parameters<typeof substitute>[1] => ({
      node,
      job: JOB,
      diskdevices: board.variables.diskdevices ?? '',
      rateInterval: `${4 * SCRAPE_SECONDS}s`,
    });
    const answeredNe = new Set<number>();
    const answeredVigil = new Set<number>();
    for (const [i, q] of board.queries.entries()) {
      const [ne, v] = await Promise.all([
        prometheus.query(substitute(q.expr, vars(nodeExporter.target))),
        prometheus.query(substitute(q.expr, vars(vigilTarget))),
      ]);
      if (ne.length > 0) answeredNe.add(i);
      if (v.length > 0) answeredVigil.add(i);
    }
    // The board's variables: both hosts are offered under the job.
    const hosts = await prometheus.query(`count by (instance) (node_uname_info{job="${JOB}"})`);
    assert.deepEqual(hosts.map((s) => s.metric.instance).sort(), [nodeExporter.target, vigilTarget].sort());

    const missing = board.queries.flatMap((q, i) => (answeredNe.has(i) && !answeredVigil.has(i) ? [{ ...q, index: i }] : []));
    const allowed = missing.filter((q) => familiesOf(q.expr).some((f) => ADJTIMEX_ONLY.has(f)));
    const failing = missing.filter((q) => !allowed.includes(q));
    const panels = (s: Set<number>): number => panelsAnswered(board.queries, s).size;
    const allPanels = new Set(board.queries.map((q) => q.panel)).size;
    t.diagnostic(
      `${board.queries.length} queries in ${allPanels} panels; node_exporter answers ${answeredNe.size} queries (${panels(answeredNe)} panels), ` +
        `Vigil ${answeredVigil.size} (${panels(answeredVigil)} panels); ` +
        `answered by node_exporter only: ${missing.length} (adjtimex-only: ${allowed.map((q) => familiesOf(q.expr).join('+')).join(', ') || 'none'})`,
    );
    assert.deepEqual(
      failing.map((q) => `${q.title}: ${q.expr}`),
      [],
      'queries that answer for node_exporter but not for Vigil',
    );
  } finally {
    await prometheus.stop();
    await nodeExporter.stop();
    await vigil.stop();
  }
});
