import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { importSavedObjects, optionsFromEnv, SAVED_OBJECTS_DIR } from '../../scripts/kibana-import';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function fakeKibana(answer: (seen: Seen) => [number, unknown]): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const [status, body] = answer(s);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const close = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

test('the saved objects: data views for logs-vigil.* and the six saved searches, referencing an included data view', async () => {
  const text = await readFile(join(SAVED_OBJECTS_DIR, 'vigil-saved-objects.ndjson'), 'utf8');
  const objects = text.trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string; attributes: { title: string }; references: { id: string }[] });
  const views = objects.filter((o) => o.type === 'index-pattern');
  assert.ok(views.some((v) => v.attributes.title === 'logs-vigil.*'));
  const searches = objects.filter((o) => o.type === 'search').map((o) => o.attributes.title).sort();
  assert.deepEqual(searches, ['Alert notifications', 'Deployments', 'Errors and warnings', 'Failed alert notifications', 'Failed deployment steps', 'Project status changes']);
  for (const o of objects) for (const r of o.references) assert.ok(views.some((v) => v.id === r.id), `${o.id} refers to ${r.id}`);
});

test('kibana:import posts each NDJSON file as multipart with kbn-xsrf, overwrite and the API key', async () => {
  const kibana = await fakeKibana(() => [200, { success: true, successCount: 6 }]);
  try {
    const opts = await optionsFromEnv({ KIBANA_URL: `${kibana.url}/`, KIBANA_API_KEY: 'a2V5', KIBANA_SPACE: 'ops' });
    const results = await importSavedObjects(opts);
    // name order: the dashboard's file after the saved searches it refers to
    assert.deepEqual(results, [
      { file: 'vigil-saved-objects.ndjson', successCount: 6 },
      { file: 'vigil-visualizations.ndjson', successCount: 6 },
    ]);
    const [req] = kibana.seen;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/s/ops/api/saved_objects/_import?overwrite=true');
    assert.equal(req.headers['kbn-xsrf'], 'true');
    assert.equal(req.headers.authorization, 'ApiKey a2V5');
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.match(req.body, /filename="vigil-saved-objects.ndjson"/);
    assert.ok(req.body.includes('"title":"Failed deployment steps"'));
  } finally {
    await close(kibana.server);
  }
});

test('kibana:import reports Kibana\'s refusal and per-object errors', async () => {
  const refusing = await fakeKibana(() => [401, { statusCode: 401, error: 'Unauthorized', message: 'missing authentication credentials' }]);
  const partial = await fakeKibana(() => [200, { success: false, successCount: 5, errors: [{ id: 'vigil-logs', type: 'index-pattern', error: { type: 'conflict' } }] }]);
  try {
    await assert.rejects(importSavedObjects(await optionsFromEnv({ KIBANA_URL: refusing.url })), /HTTP 401 missing authentication credentials/);
    await assert.rejects(importSavedObjects(await optionsFromEnv({ KIBANA_URL: partial.url })), /index-pattern vigil-logs: conflict/);
  } finally {
    await close(refusing.server);
    await close(partial.server);
  }
});

test('npm run kibana:import fails with a clear message when Kibana is unreachable', async () => {
  const gone = await fakeKibana(() => [200, {}]);
  await close(gone.server); // a port that was just free: connection refused
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(SAVED_OBJECTS_DIR, '../../scripts/kibana-import.ts')], {
    env: { ...process.env, KIBANA_URL: gone.url },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`cannot reach Kibana at ${gone.url} \\(ECONNREFUSED\\)`));
});
