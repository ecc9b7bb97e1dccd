import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure } from '../../shipper/failure-report';
import { installAssets, loadAssets } from '../../shipper/es-assets';
import { createEsClient } from '../../shipper/es-settings';
import { startMockElasticsearch, type MockElasticsearch } from './helpers/mock-elasticsearch';
import { logRecords, startShipper, until } from './helpers/shipper';

/** The servers Vigil supports, as the stand-in answers for each (its media-type checks are that major's). */
const SERVERS = ['8.15.0', '9.1.0'] as const;

const V8_JSON = 'application/vnd.elasticsearch+json; compatible-with=8';
const V9_JSON = 'application/vnd.elasticsearch+json; compatible-with=9';

async function raw(es: MockElasticsearch, headers: Record<string, string>, body?: string): Promise<{ status: number; json: { error?: { type?: string; caused_by?: { reason?: string } } | string } }> {
  const res = await fetch(`${es.url}/_ilm/policy/probe`, { method: body === undefined ? 'GET' : 'PUT', headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, json: (await res.json()) as never };
}

test('the stand-in refuses the media types a real server of its version refuses', async () => {
  const v8 = await startMockElasticsearch({ version: '8.15.0' });
  const v9 = await startMockElasticsearch({ version: '9.1.0' });
  try {
    // What Elasticsearch 8.15 answers to the 9.x client (elastic/elasticsearch-js#2909)
    const refused = await raw(v8, { accept: V9_JSON, 'content-type': V9_JSON }, '{}');
    assert.equal(refused.status, 400);
    assert.equal(typeof refused.json.error === 'object' && refused.json.error.type, 'media_type_header_exception');
    assert.equal(
      typeof refused.json.error === 'object' && refused.json.error.caused_by?.reason,
      `Accept version must be either version 8 or 7, but found 9. Accept=${V9_JSON}`,
    );
    // 9.x refuses 7, takes 8 and 9; both take plain JSON and no Accept at all
    assert.equal((await raw(v9, { accept: 'application/vnd.elasticsearch+json; compatible-with=7' })).status, 400);
    for (const es of [v8, v9]) {
      assert.equal((await raw(es, { accept: `${V8_JSON},text/plain`, 'content-type': V8_JSON }, '{}')).status, 200, es.version);
      assert.equal((await raw(es, { accept: 'application/json', 'content-type': 'application/json' }, '{}')).status, 200, es.version);
      assert.equal((await raw(es, {})).status, 404, `${es.version}: no header is plain JSON (an unknown policy is 404)`);
      // Accept and Content-Type must ask for the same version when either asks for one
      assert.equal((await raw(es, { accept: V8_JSON, 'content-type': 'application/json' }, '{}')).status, 400, es.version);
      // a vendor type without compatible-with, and a body that is not JSON
      assert.equal((await raw(es, { accept: 'application/vnd.elasticsearch+json' })).status, 400, es.version);
      assert.equal((await raw(es, { 'content-type': 'text/html' }, '{}')).status, 406, es.version);
    }
    assert.equal((await raw(v9, { accept: V9_JSON, 'content-type': V9_JSON }, '{}')).status, 200);
  } finally {
    await v8.close();
    await v9.close();
  }
});

test('a client that sends compatible-with=9 (the 9.x client) is refused by an 8.x server before any _bulk', async () => {
  const es = await startMockElasticsearch({ version: '8.15.0' });
  const client = await createEsClient({ url: es.url }, { timeoutMs: 5000 });
  // The 9.x client's vendored headers, put on the 8.x client: what issue #12 found shipping nothing.
  const as9 = client.child({ headers: { accept: V9_JSON, 'content-type': V9_JSON } });
  try {
    const err = await installAssets(as9, await loadAssets(30)).then(
      () => assert.fail('expected the ILM PUT to be refused'),
      (e: unknown) => e,
    );
    const failure = describeFailure(err, [], new Date(0));
    assert.equal(failure.status, 400);
    assert.equal(failure.type, 'media_type_header_exception (status_exception)');
    assert.match(failure.summary, /^HTTP 400 media_type_header_exception \(status_exception\): Invalid media-type value on headers \[Accept, Content-Type\]; caused by: Accept version must be either version 8 or 7, but found 9/);
    assert.equal(es.bulkRequests, 0);
    assert.equal(es.puts.size, 0);
  } finally {
    await client.close();
    await es.close();
  }
});

for (const version of SERVERS) {
  test(`Elasticsearch ${version}: the shipper installs ILM and templates and ships with _bulk, with no media-type refusal`, async () => {
    const es = await startMockElasticsearch({ version });
    const s = await startShipper({ ELASTICSEARCH_URL: es.url });
    try {
      await logRecords(s.logger, 30);
      await until('30 records stored', () => es.storedIds('logs-vigil.app-default').length >= 30);
      assert.equal(es.mediaTypeRefusals, 0);
      assert.ok(es.puts.has('/_ilm/policy/logs-vigil'));
      assert.ok([...es.puts.keys()].some((k) => k.startsWith('/_component_template/')));
      assert.ok(es.puts.has('/_index_template/logs-vigil'));
      assert.equal(await s.metric('vigil_shipper_up'), 1);
      // What the pinned 8.x client sends: compatible-with=8 on both headers, NDJSON's vendor type on _bulk.
      const put = es.requests.find((r) => r.path === '/_ilm/policy/logs-vigil');
      assert.equal(put?.accept, V8_JSON);
      assert.equal(put?.contentType, V8_JSON);
      const bulk = es.requests.find((r) => r.path === '/_bulk');
      assert.equal(bulk?.contentType, 'application/vnd.elasticsearch+x-ndjson; compatible-with=8');
      assert.equal(bulk?.accept, V8_JSON);
    } finally {
      await s.cleanup();
      await es.close();
    }
  });
}
