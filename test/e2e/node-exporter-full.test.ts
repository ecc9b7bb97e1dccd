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
    const panels = (s: Set<number>): number => panelsAnswered(board.queries, s).size;
    const allPanels = new Set(board.queries.map((q) => q.panel)).size;
    t.diagnostic(
      `${board.queries.length} queries in ${allPanels} panels; node_exporter answers ${answeredNe.size} queries (${panels(answeredNe)} panels), ` +
        `Vigil ${answeredVigil.size} (${panels(answeredVigil)} panels); ` +
        `answered by node_exporter only: ${missing.length}`,
    );
    assert.deepEqual(
      missing.map((q) => `${q.title}: ${q.expr} (${familiesOf(q.expr).join('+')})`),
      [],
      'queries that answer for node_exporter but not for Vigil',
    );
  } finally {
    await prometheus.stop();
    await nodeExporter.stop();
    await vigil.stop();
  }
});
