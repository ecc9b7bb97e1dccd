import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFailureReporter } from '../../shipper/failure-report';
import { shipperPart } from '../../shipper/part';
import { capturingLogger } from '../exporters/projects/capture';
import { freePort } from '../helpers/ports';
import { startVigil } from '../helpers/vigil';
import { startMockElasticsearch } from './helpers/mock-elasticsearch';
import { until } from './helpers/shipper';

const yaml = (interval: string): string =>
  `shipper: {bulk: {flush_interval: 20ms}, backoff: {initial: 20ms, max: 50ms}, shutdown_timeout: 500ms, failure_log_interval: ${interval}}\n`;

const action = (r: Record<string, unknown>): string | undefined => (r.event as { action?: string } | undefined)?.action;

interface Status {
  output: string;
  up: boolean;
  failed_requests_in_a_row: number;
  last_error: { summary: string; status?: number; type?: string; reason?: string; code?: string; at: string } | null;
}

test('a shipper that never reached Elasticsearch logs the first failure with its network error, once while it lasts, and shows it', async () => {
  const { logger, records } = capturingLogger();
  const port = await freePort(); // nothing listens there: connection refused
  const vigil = await startVigil(yaml('1h'), { parts: [shipperPart], logger, env: { ELASTICSEARCH_URL: `http://127.0.0.1:${port}` } });
  try {
    const status = async (): Promise<Status> => (await (await fetch(`${vigil.url}/api/v1/shipper/status`)).json()) as Status;
    await until('five failed attempts', async () => (await status()).failed_requests_in_a_row >= 5);
    const down = records.filter((r) => action(r) === 'shipper-down');
    assert.equal(down.length, 1, 'the first failure is logged once');
    assert.match(down[0]?.message as string, /^Elasticsearch output is down; records stay in the spool: ConnectionError ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    assert.equal((down[0]?.error as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(records.filter((r) => action(r) === 'shipper-still-down').length, 0, 'no more lines within failure_log_interval');
    const s = await status();
    assert.equal(s.output, 'elasticsearch');
    assert.equal(s.up, false);
    assert.equal(s.last_error?.code, 'ECONNREFUSED');
    assert.match(s.last_error?.summary ?? '', /ECONNREFUSED/);
    assert.ok(Date.parse(s.last_error?.at ?? '') > 0);
  } finally {
    await vigil.stop();
  }
});

test('wrong credentials: the status, error type and reason are logged and shown, the credentials never', async () => {
  const es = await startMockElasticsearch({ version: '8.15.0' });
  es.requiredAuthorization = `Basic ${Buffer.from('vigil-writer:right').toString('base64')}`;
  const { logger, records } = capturingLogger();
  const vigil = await startVigil(yaml('50ms'), {
    parts: [shipperPart],
    logger,
    env: { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_USERNAME: 'vigil-writer', ELASTICSEARCH_PASSWORD: 'wrong-pass' },
  }).catch(async (err: unknown) => {
    await es.close();
    throw err;
  });
  try {
    const status = async (): Promise<Status> => (await (await fetch(`${vigil.url}/api/v1/shipper/status`)).json()) as Status;
    await until('a "still down" line', () => records.some((r) => action(r) === 'shipper-still-down'));
    const down = records.filter((r) => action(r) === 'shipper-down');
    assert.equal(down.length, 1);
    assert.equal(down[0]?.message, 'Elasticsearch output is down; records stay in the spool: HTTP 401 security_exception: unable to authenticate user [[redacted]] for REST request [/_ilm/policy/logs-vigil]');
    assert.equal((down[0]?.http as { response: { status_code: number } }).response.status_code, 401);
    const still = records.find((r) => action(r) === 'shipper-still-down');
    assert.match(still?.message as string, /^Elasticsearch output still down: \d+ failed requests since \S+ \(\d+ since the last line\); last: HTTP 401 security_exception/);
    const s = await status();
    assert.equal(s.last_error?.status, 401);
    assert.equal(s.last_error?.type, 'security_exception');
    const shown = JSON.stringify(s) + JSON.stringify(records);
    assert.ok(!shown.includes('vigil-writer') && !shown.includes('wrong-pass'), 'no credential in the log or the status');
    assert.equal(es.bulkRequests, 0);
    // the right credentials arrive (the server changes its mind): up, and the streak ends
    es.requiredAuthorization = undefined;
    await until('up again', async () => (await status()).up);
    assert.ok(records.some((r) => action(r) === 'shipper-up'));
    const after = await status();
    assert.equal(after.failed_requests_in_a_row, 0);
    assert.equal(after.last_error?.status, 401, 'the last error stays visible after recovery');
  } finally {
    await vigil.stop();
    await es.close();
  }
});

test('the reporter: first failure at once, then at most one line per interval, a new streak logs at once again', () => {
  const { logger, records } = capturingLogger();
  let now = 1_000_000;
  const r = createFailureReporter({ logger, secrets: ['s3cret'], interval: () => 60_000, now: () => now });
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:9200 s3cret'), { name: 'ConnectionError' });
  for (let i = 0; i < 100; i++) {
    r.failed(refused);
    now += 1000; // 100 failures over 100 s: the first line, then one at 60 s
  }
  const lines = (): string[] => records.map((x) => x.message as string);
  assert.equal(lines().length, 2);
  assert.match(lines()[0] ?? '', /^Elasticsearch output is down; records stay in the spool: ConnectionError ECONNREFUSED: connect ECONNREFUSED 10\.0\.0\.1:9200 \[redacted\]$/);
  assert.match(lines()[1] ?? '', /^Elasticsearch output still down: 61 failed requests since 1970-01-01T00:16:40\.000Z \(60 since the last line\)/);
  r.succeeded();
  r.failed(refused);
  assert.equal(lines().length, 3, 'a new run of failures is logged at once');
  assert.equal(r.last()?.code, 'ECONNREFUSED');
});
