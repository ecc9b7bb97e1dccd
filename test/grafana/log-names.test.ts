/**
 * Names that must agree across the log half: the data streams the shipper writes, the index
 * template and Filebeat's index, the Kibana data views, the fields the saved searches, the Lens
 * visualizations and Grafana's Elasticsearch datasource use (read from the records a running Vigil
 * really writes), and the saved-object files `npm run kibana:import` loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { createLogger } from '../../core/logger';
import { LOCAL_LOGS_DIR } from '../../shipper/part';
import { dataStreamName } from '../../shipper/bulk-sender';
import { DEAD_LETTER_DATASET } from '../../shipper/dead-letter';
import { SAVED_OBJECTS_DIR } from '../../scripts/kibana-import';
import { KIBANA_DASHBOARD_FILE, DATA_VIEW_ID } from '../../grafana/src/kibana';
import { KIBANA_DASHBOARD_ID } from '../../grafana/src/board';
import { startVigil } from '../helpers/vigil';
import { deliver, loadFixtures, postEvents, SECRET, TOKEN } from '../exporters/deployments/helpers';

const ROOT = join(import.meta.dirname, '../..');

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown> & { title?: string; columns?: string[]; sort?: [string, string][]; timeFieldName?: string };
  references: { id: string; type: string }[];
}

async function savedObjects(): Promise<{ file: string; objects: SavedObject[] }[]> {
  const files = (await readdir(SAVED_OBJECTS_DIR)).filter((f) => f.endsWith('.ndjson')).sort();
  return Promise.all(files.map(async (file) => ({ file, objects: (await readFile(join(SAVED_OBJECTS_DIR, file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as SavedObject) })));
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Every field path of a record, as Elasticsearch sees it after Filebeat's expand_keys. */
function fieldPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) fieldPaths(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.add(prefix);
  return out;
}

/** The fields a KQL query, a search's columns and sort, or a Lens layer refer to. */
function referencedFields(o: SavedObject): string[] {
  const fields: string[] = [];
  const text = JSON.stringify(o.attributes);
  const queries = [...text.matchAll(/\\?"query\\?":\\?"((?:[^"\\]|\\.)*?)\\?"/g)].map((m) => (m[1] as string).replace(/\\+"/g, '"'));
  for (const q of queries) for (const m of q.matchAll(/([A-Za-z_@][\w.@]*)\s*:/g)) fields.push(m[1] as string);
  fields.push(...(o.attributes.columns ?? []), ...(o.attributes.sort ?? []).map((s) => s[0]));
  for (const m of text.matchAll(/"sourceField":"([^"]+)"/g)) if (m[1] !== '___records___') fields.push(m[1] as string);
  if (o.attributes.timeFieldName) fields.push(o.attributes.timeFieldName);
  return [...new Set(fields)];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

test('data streams, data views, fields and files agree across the shipper, elasticsearch/, filebeat/, Kibana and Grafana', { timeout: 60_000 }, async () => {
  const logger = createLogger({ level: 'info', silent: true });
  const target = createServer((_req, res) => res.end('ok'));
  const port = await listen(target);
  // A robot for the relay: rate limited once, then accepts, then refuses for good (DingTalk's keyword check).
  const answers = [{ errcode: 130101, errmsg: 'send too fast' }, { errcode: 0, errmsg: 'ok' }, { errcode: 310000, errmsg: 'keywords not in content' }];
  const robot = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers.shift() ?? { errcode: 0 })));
  });
  const robotPort = await listen(robot);
  const vigil = await startVigil(
    `
host: {enabled: false}
shipper: {enabled: true}
projects:
  interval: 1s
  targets: [{ name: shop, checks: [{ type: http, url: "http://127.0.0.1:${port}/", timeout: 500ms }] }]
relay:
  enabled: true
  retry: {initial: 50ms, max: 100ms}
  targets:
    ops: {type: dingtalk, url: "http://127.0.0.1:${robotPort}/robot/send?access_token=t"}
`,
    { env: { VIGIL_API_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET }, logger },
  );
  let records: Record<string, unknown>[] = [];
  try {
    const res = await postEvents(vigil.url, [
      { type: 'step_completed', project: 'shop', deployment_id: '7', job: 'build', step: 'npm test', status: 'failure', duration_seconds: 12 },
      { type: 'log_entry', project: 'shop', deployment_id: '7', job: 'build', level: 'error', message: 'tests failed' },
      { type: 'deployment_completed', project: 'shop', deployment_id: '7', environment: 'production', status: 'failure' },
    ]);
    assert.equal(res.status, 202, await res.text());
    const failedJob = (await loadFixtures()).find((f) => f.file === 'workflow_job.completed.failure.with-organization.payload.json');
    assert.ok(failedJob);
    assert.equal((await deliver(vigil.url, 'workflow_job', failedJob.body)).status, 202);
    for (const alertname of ['HostDown', 'DiskFull']) {
      const alert = { status: 'firing', labels: { alertname }, annotations: {}, startsAt: '2026-11-30T00:00:00Z', endsAt: '0001-01-01T00:00:00Z' };
      const notification = { version: '4', groupKey: alertname, status: 'firing', receiver: 'ops', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: [alert] };
      const queued = await fetch(`${vigil.url}/alerts/ops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notification) });
      assert.equal(queued.status, 202, await queued.text());
    }
    // a refused reload: an error record with error.message
    await writeFile(vigil.configFile, 'projects: {interval: soon}\n');
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 400);
    await sleep(1500);
    for (const server of [target, robot]) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    await sleep(3000);
    await vigil.app.stop();
    const logsDir = join(vigil.dir, 'data', LOCAL_LOGS_DIR);
    for (const f of (await readdir(logsDir)).filter((x) => x.endsWith('.ndjson'))) {
      records.push(...(await readFile(join(logsDir, f), 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    }
  } finally {
    await vigil.stop().catch(() => undefined);
  }
  records = records.map((r) => expand(r));
  const fields = new Set(records.flatMap((r) => [...fieldPaths(r)]));
  const datasets = new Set(records.map((r) => (r.event as { dataset?: string } | undefined)?.dataset ?? ''));
  assert.ok(['vigil.app', 'vigil.deployments', 'vigil.projects', 'vigil.relay'].every((d) => datasets.has(d)), `datasets written: ${[...datasets].join(', ')}`);
  const relayActions = new Set(records.map((r) => r.event as { dataset?: string; action?: string }).filter((e) => e.dataset === 'vigil.relay').map((e) => e.action));
  assert.ok(['relay-notification-retry', 'relay-notification-delivered', 'relay-notification-failed'].every((a) => relayActions.has(a)), `relay records: ${[...relayActions].join(', ')}`);

  // Data streams: the shipper's names, the index template, Filebeat's index and the data views.
  const template = JSON.parse(await readFile(join(ROOT, 'elasticsearch/index-templates/logs-vigil.json'), 'utf8')) as { index_patterns: string[] };
  const filebeat = parse(await readFile(join(ROOT, 'filebeat/filebeat.yml'), 'utf8')) as { 'output.elasticsearch': { index: string } };
  const all = (await savedObjects()).flatMap((f) => f.objects);
  const views = all.filter((o) => o.type === 'index-pattern');
  const mainView = views.find((v) => v.id === DATA_VIEW_ID);
  assert.ok(mainView, `data view ${DATA_VIEW_ID}`);
  for (const dataset of [...datasets, DEAD_LETTER_DATASET]) {
    const stream = dataStreamName(dataset, 'default');
    assert.equal(filebeat['output.elasticsearch'].index.replace('%{[event.dataset]}', dataset).replace('%{[data_stream.namespace]}', 'default'), stream, 'Filebeat writes the same stream');
    assert.ok(template.index_patterns.some((p) => globToRegExp(p).test(stream)), `${stream} gets the logs-vigil template`);
    assert.ok(views.some((v) => globToRegExp(v.attributes.title ?? '').test(stream)), `${stream} is in a data view`);
  }
  const grafana = parse(await readFile(join(ROOT, 'grafana/provisioning/datasources/vigil.yml'), 'utf8')) as { datasources: { type: string; jsonData: Record<string, string> }[] };
  const es = grafana.datasources.find((d) => d.type === 'elasticsearch');
  assert.equal(es?.jsonData.index, mainView.attributes.title, 'Grafana reads the data view\'s streams');

  // Fields: every one a saved object or Grafana uses is in the records Vigil writes, and mapped so Kibana can filter and split by it.
  const mappings = JSON.parse(await readFile(join(ROOT, 'elasticsearch/component-templates/logs-vigil@mappings.json'), 'utf8')) as { template: { mappings: { properties: Record<string, unknown>; dynamic_templates: Record<string, { match_mapping_type?: string; mapping: { type: string } }>[] } } };
  const mappedType = (path: string): string | undefined => {
    let node: unknown = { properties: mappings.template.mappings.properties };
    for (const part of path.split('.')) node = (node as { properties?: Record<string, unknown> } | undefined)?.properties?.[part];
    return (node as { type?: string } | undefined)?.type;
  };
  const dynamicString = mappings.template.mappings.dynamic_templates.map((t) => Object.values(t)[0]).find((t) => t?.match_mapping_type === 'string')?.mapping.type;
  const used = [...new Set([...all.flatMap(referencedFields), es?.jsonData.timeField ?? '', es?.jsonData.logMessageField ?? '', es?.jsonData.logLevelField ?? ''])].filter(Boolean);
  for (const field of used) {
    assert.ok(fields.has(field), `${field} (used by a saved object or Grafana) is in no record Vigil writes; fields written: ${[...fields].sort().join(', ')}`);
  }
  for (const o of all.filter((x) => x.type === 'lens')) {
    for (const m of JSON.stringify(o.attributes).matchAll(/"operationType":"terms","sourceField":"([^"]+)"/g)) {
      const type = mappedType(m[1] as string) ?? dynamicString;
      assert.equal(type, 'keyword', `${o.id} splits by ${m[1] as string}, mapped as ${String(type)}`);
    }
  }

  // Files: kibana:import loads every saved-object file in name order; each reference is defined by then.
  const files = await savedObjects();
  assert.ok(files.some((f) => f.file === KIBANA_DASHBOARD_FILE));
  const defined = new Set<string>();
  for (const { file, objects } of files) {
    for (const o of objects) defined.add(`${o.type}:${o.id}`);
    for (const o of objects) for (const r of o.references) assert.ok(defined.has(`${r.type}:${r.id}`), `${file}: ${o.id} refers to ${r.type} ${r.id}, not imported before it`);
  }
  assert.ok(defined.has(`dashboard:${KIBANA_DASHBOARD_ID}`), 'the dashboard the Grafana boards link to');
});

/** Filebeat's expand_keys: "log.level" → { log: { level } }. */
function expand(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const parts = k.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    const last = parts[parts.length - 1] as string;
    node[last] = v && typeof v === 'object' && !Array.isArray(v) ? { ...(node[last] as object | undefined), ...expand(v as Record<string, unknown>) } : v;
  }
  return out;
}
