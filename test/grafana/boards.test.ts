/**
 * The boards as files: the committed JSON is what the code generates, every board passes the
 * linter (and the linter catches what it should), the uids the alert rules link to exist, and
 * the provisioning files point at the datasources and the folder the boards use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, renderBoards, staleFiles } from '../../grafana/src/build';
import { lintBoard, lintBoards, rateWindowProblems } from '../../grafana/src/lint';
import { applyVariableRegex, queryResultText, variableQuery, type BoardJson } from '../../grafana/src/grafana-queries';
import { ALERTMANAGER_UID, ELASTICSEARCH_UID, LOGS_INDEX, PROMETHEUS_UID } from '../../grafana/src/datasources';

const ROOT = join(import.meta.dirname, '../..');

async function committedBoards(): Promise<BoardJson[]> {
  const files = (await readdir(DASHBOARDS_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(DASHBOARDS_DIR, f), 'utf8')) as BoardJson));
}

const clone = <T>(x: T): T => structuredClone(x);

test('grafana/dashboards holds exactly what npm run grafana:build generates', async () => {
  assert.deepEqual(await staleFiles(), [], 'run npm run grafana:build and commit grafana/dashboards/');
});

test('the stale check notices an edited, a missing and an extra file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-boards-'));
  try {
    for (const f of renderBoards().keys()) await copyFile(join(DASHBOARDS_DIR, f), join(dir, f));
    assert.deepEqual(await staleFiles(dir), []);
    const edited = JSON.parse(await readFile(join(dir, 'vigil-hosts.json'), 'utf8')) as BoardJson;
    edited.title = 'Hand-edited';
    await writeFile(join(dir, 'vigil-hosts.json'), JSON.stringify(edited, null, 2));
    await rm(join(dir, 'vigil-stack.json'));
    await writeFile(join(dir, 'old-board.json'), '{}');
    assert.deepEqual(await staleFiles(dir), ['old-board.json', 'vigil-hosts.json', 'vigil-stack.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('every board passes the linter; the uids are the ones the alert rules link to', async () => {
  const boards = await committedBoards();
  assert.deepEqual(lintBoards(boards), []);
  assert.deepEqual(boards.map((b) => b.uid).sort(), ['vigil-deployments', 'vigil-hosts', 'vigil-projects', 'vigil-stack']);
  const vars = (uid: string): string[] => boards.find((b) => b.uid === uid)?.templating.list.map((v) => v.name) ?? [];
  assert.ok(vars('vigil-hosts').includes('host'), 'alerts link with var-host');
  assert.ok(vars('vigil-projects').includes('project'), 'alerts link with var-project');
  assert.ok(vars('vigil-deployments').includes('project'), 'alerts link with var-project');
});

test('hosts are listed by node_uname_info nodename and valued by the host label the alerts link with', async () => {
  const hosts = (await committedBoards()).find((b) => b.uid === 'vigil-hosts');
  const host = hosts?.templating.list.find((v) => v.name === 'host');
  assert.ok(host);
  assert.match(variableQuery(host), /node_uname_info/);
  // Grafana's text of a query_result sample, through the variable's regex
  const texts = [
    queryResultText({ metric: { host: 'web-1', nodename: 'web-1.example.com' }, value: [1700000000, '1'] }),
    queryResultText({ metric: { host: '10.0.0.7', nodename: 'db' }, value: [1700000000, '1'] }),
  ];
  assert.deepEqual(applyVariableRegex(texts, host.regex), [
    { value: 'web-1', text: 'web-1.example.com' },
    { value: '10.0.0.7', text: 'db' },
  ]);
});

test('the linter finds each kind of problem', async () => {
  const good = (await committedBoards()).find((b) => b.uid === 'vigil-projects') as BoardJson;
  assert.deepEqual(lintBoard(good), []);
  const firstPanel = (b: BoardJson) => b.panels.find((p) => p.type !== 'row' && p.targets?.some((t) => /\$__rate_interval/.test(t.expr ?? ''))) as BoardJson['panels'][number];

  const noDsVar = clone(good);
  noDsVar.templating.list = noDsVar.templating.list.filter((v) => v.type !== 'datasource');
  assert.ok(lintBoard(noDsVar).some((p) => /no Prometheus datasource variable/.test(p)));

  const noUnit = clone(good);
  delete firstPanel(noUnit).fieldConfig?.defaults?.unit;
  assert.ok(lintBoard(noUnit).some((p) => /no unit/.test(p)));

  const noTitle = clone(good);
  firstPanel(noTitle).title = ' ';
  assert.ok(lintBoard(noTitle).some((p) => /no title/.test(p)));

  const fixedDs = clone(good);
  firstPanel(fixedDs).datasource = { type: 'prometheus', uid: 'some-uid' };
  assert.ok(lintBoard(fixedDs).some((p) => /expected the variable/.test(p)));

  const fixedWindow = clone(good);
  const t = firstPanel(fixedWindow).targets?.[0];
  if (t) t.expr = (t.expr ?? '').replace('$__rate_interval', '5m');
  assert.ok(lintBoard(fixedWindow).some((p) => /over \[5m\]: use \$__rate_interval/.test(p)));

  const offGrid = clone(good);
  firstPanel(offGrid).gridPos = { x: 20, y: 0, w: 8, h: 4 };
  assert.ok(lintBoard(offGrid).some((p) => /outside the 24-column grid/.test(p)));

  const overlap = clone(good);
  const [a, b] = overlap.panels.filter((p) => p.type !== 'row');
  if (a && b) b.gridPos = { ...a.gridPos };
  assert.ok(lintBoard(overlap).some((p) => /overlap/.test(p)));

  const noAnnotation = clone(good);
  noAnnotation.annotations.list = [];
  assert.ok(lintBoard(noAnnotation).some((p) => /no deployment annotation/.test(p)));

  assert.ok(lintBoards([good, clone(good)]).some((p) => /uid vigil-projects is used by more than one board/.test(p)));
});

test('rate windows: $__rate_interval and $__range pass, $__interval and fixed windows do not', () => {
  assert.deepEqual(rateWindowProblems('sum(rate(x[$__rate_interval])) / sum(increase(y[$__range]))'), []);
  assert.deepEqual(rateWindowProblems('histogram_quantile(0.9, sum by (le) (rate(x_bucket[$__rate_interval])))'), []);
  assert.equal(rateWindowProblems('rate(x[$__interval])').length, 1);
  assert.equal(rateWindowProblems('irate(x[1m]) + increase(y[5m:30s])').length, 2);
  assert.deepEqual(rateWindowProblems('avg_over_time(up[1h]) + predict_linear(x[6h], 3600)'), [], 'not a rate');
});

interface DatasourcesFile {
  datasources: { name: string; uid: string; type: string; url: string; jsonData?: Record<string, unknown> }[];
}

test('provisioning: the three datasources with the boards\' uids; Prometheus timeInterval is the scrape interval', async () => {
  const file = parse(await readFile(join(ROOT, 'grafana/provisioning/datasources/vigil.yml'), 'utf8')) as DatasourcesFile;
  const byUid = new Map(file.datasources.map((d) => [d.uid, d]));
  assert.equal(byUid.get(PROMETHEUS_UID)?.type, 'prometheus');
  assert.equal(byUid.get(ELASTICSEARCH_UID)?.type, 'elasticsearch');
  assert.equal(byUid.get(ELASTICSEARCH_UID)?.jsonData?.index, LOGS_INDEX);
  assert.equal(byUid.get(ELASTICSEARCH_UID)?.jsonData?.timeField, '@timestamp');
  assert.equal(byUid.get(ALERTMANAGER_UID)?.type, 'alertmanager');
  const timeInterval = byUid.get(PROMETHEUS_UID)?.jsonData?.timeInterval;
  assert.match(String(timeInterval), /^\d+s$/);
  const promConfig = parse(await readFile(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as { global?: { scrape_interval?: string } };
  assert.equal(timeInterval, promConfig.global?.scrape_interval ?? '1m', 'timeInterval must equal prometheus.yml global.scrape_interval');
});

test('provisioning: the dashboards provider reads the folder docker-compose mounts grafana/dashboards at', async () => {
  const file = parse(await readFile(join(ROOT, 'grafana/provisioning/dashboards/vigil.yml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
  const provider = file.providers[0];
  assert.equal(provider?.type, 'file');
  const compose = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8').catch(() => '');
  if (compose === '') return;
  assert.match(compose, new RegExp(`grafana/dashboards:${provider?.options.path.replace(/[/.]/g, '\\$&')}(:ro)?`));
  assert.match(compose, /grafana\/provisioning:\/etc\/grafana\/provisioning(:ro)?/);
});
