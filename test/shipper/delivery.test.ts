import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEAD_LETTER_FILE } from '../../shipper/part';
import { startMockElasticsearch, type MockElasticsearch } from './helpers/mock-elasticsearch';
import { FAST, logRecords, seqOf, startShipper, until } from './helpers/shipper';

let es: MockElasticsearch;
before(async () => {
  es = await startMockElasticsearch();
});
after(async () => {
  await es.close();
});

function reset(): void {
  es.mode = 'up';
  es.topLevelStatus = undefined;
  es.malformedBulk = false;
  es.itemFault = () => undefined;
  es.maxBodyBytes = 100 * 1024 * 1024;
  es.received.length = 0;
  es.stored.clear();
  es.puts.clear();
  es.bulkRequests = 0;
}

/** Sequence numbers of the test records stored in an index (the shipper's own records left out). */
function seqs(index: string): number[] {
  return [...(es.stored.get(index)?.values() ?? [])]
    .map(seqOf)
    .filter((n) => n >= 0)
    .sort((a, b) => a - b);
}

const deadLettered = (s: { metric(n: string, l?: string): Promise<number> }): Promise<number> =>
  s.metric('vigil_shipper_records_total', '{result="dead_lettered"}');

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('records logged while Elasticsearch is down arrive exactly once each when it comes up', async () => {
  reset();
  es.mode = 'down';
  const s = await startShipper({ ELASTICSEARCH_URL: es.url });
  try {
    const n = 3000;
    await logRecords(s.logger, n);
    await logRecords(s.logger, 200, n, 'vigil.deployments');
    assert.equal(await s.metric('vigil_shipper_up'), 0);
    assert.ok((await s.metric('vigil_shipper_spool_bytes')) > 0);
    assert.ok((await s.metric('vigil_shipper_oldest_unacked_age_seconds')) >= 0);
    assert.equal(es.received.length, 0);
    es.mode = 'up';
    await until('all records stored', () => seqs('logs-vigil.app-default').length + seqs('logs-vigil.deployments-default').length === n + 200);
    await until('every record acked', async () => (await s.metric('vigil_shipper_oldest_unacked_age_seconds')) === 0);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(n));
    assert.deepEqual(seqs('logs-vigil.deployments-default'), range(200).map((i) => i + n));
    const ids = es.received.filter((r) => seqOf(r.doc) >= 0).map((r) => r.id);
    assert.equal(ids.length, n + 200, 'each record sent once');
    assert.equal(new Set(ids).size, n + 200, 'distinct _ids');
    assert.ok(es.received.every((r) => r.op === 'create' && r.sentId));
    assert.ok(es.gzipRequests > 0, 'bulk bodies are gzipped');
    assert.equal(await s.metric('vigil_shipper_up'), 1);
    assert.equal(await s.metric('vigil_shipper_oldest_unacked_age_seconds'), 0);
    // templates and the ILM policy were installed before the first bulk request
    assert.ok(es.puts.has('/_ilm/policy/logs-vigil'));
    assert.ok(es.puts.has('/_component_template/logs-vigil@mappings'));
    assert.ok(es.puts.has('/_index_template/logs-vigil'));
  } finally {
    await s.cleanup();
  }
});

test('a burst spanning many segments is delivered completely once logging stops', async () => {
  reset();
  const s = await startShipper({ ELASTICSEARCH_URL: es.url }, { ...FAST, bulk: { ...FAST.bulk, flush_interval: '10s' }, spool: { segment_bytes: '16KiB' } });
  try {
    await logRecords(s.logger, 2000);
    // no flush timer can help here (10 s): the reads must go on past each short end-of-segment read
    await until('all stored', () => seqs('logs-vigil.app-default').length === 2000);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(2000));
  } finally {
    await s.cleanup();
  }
});

test('a partially failed bulk: 400 items dead-lettered once with the reason, 429/503 items retried, successes not re-sent', async () => {
  reset();
  es.itemFault = (doc, _id, attempt) => {
    const seq = seqOf(doc);
    if (seq % 10 === 3) return 400;
    if (seq % 10 === 5 && attempt <= 2) return 429;
    if (seq % 10 === 7 && attempt === 1) return 503;
    return undefined;
  };
  const s = await startShipper({ ELASTICSEARCH_URL: es.url });
  try {
    const n = 500;
    await logRecords(s.logger, n);
    await until('every record settled', async () => seqs('logs-vigil.app-default').length + (await deadLettered(s)) === n);
    const permanent = range(n).filter((i) => i % 10 === 3);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(n).filter((i) => i % 10 !== 3));
    // every _id that succeeded was sent exactly once; 400s never retried
    const byId = new Map<string, number>();
    for (const r of es.received.filter((x) => x.index === 'logs-vigil.app-default' && seqOf(x.doc) >= 0)) byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
    for (const r of es.received.filter((x) => x.status === 201 && x.index === 'logs-vigil.app-default' && seqOf(x.doc) >= 0)) {
      const seq = seqOf(r.doc);
      const expected = seq % 10 === 5 ? 3 : seq % 10 === 7 ? 2 : 1;
      assert.equal(byId.get(r.id), expected, `attempts for seq ${seq}`);
    }
    for (const r of es.received.filter((x) => x.status === 400)) assert.equal(byId.get(r.id), 1, 'a 400 item is not retried');
    assert.equal(await s.metric('vigil_shipper_records_total', '{result="dead_lettered"}'), permanent.length);
    assert.ok((await s.metric('vigil_shipper_records_total', '{result="retried"}')) >= 100);
    const lines = (await readFile(join(s.dir, DEAD_LETTER_FILE), 'utf8')).trim().split('\n');
    assert.equal(lines.length, permanent.length);
    const first = JSON.parse(lines[0] as string) as { error: { type: string; message: string }; vigil: { shipper: { original: string; status: number } } };
    assert.equal(first.error.type, 'document_parsing_exception');
    assert.match(first.error.message, /failed to parse field \[vigil\.count\]/);
    assert.equal(first.vigil.shipper.status, 400);
    assert.equal(seqOf(JSON.parse(first.vigil.shipper.original) as Record<string, unknown>) % 10, 3);
    // and the dead-letter data stream got them too
    assert.equal(es.storedIds('logs-vigil.dead_letter-default').length, permanent.length);
  } finally {
    await s.cleanup();
  }
});

test('top-level 413 splits the batch; a single record still too large is dead-lettered', async () => {
  reset();
  es.maxBodyBytes = 20_000;
  const s = await startShipper({ ELASTICSEARCH_URL: es.url }, { ...FAST, bulk: { ...FAST.bulk, gzip: false }, dead_letter: { data_stream: false } });
  try {
    await logRecords(s.logger, 300);
    s.logger.info('huge', { event: { action: 'test-record' }, vigil: { seq: 300, blob: 'x'.repeat(30_000) } });
    await until('every record settled', async () => seqs('logs-vigil.app-default').length + (await deadLettered(s)) === 301);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(300));
    assert.equal(await s.metric('vigil_shipper_records_total', '{result="dead_lettered"}'), 1);
    const dead = await readFile(join(s.dir, DEAD_LETTER_FILE), 'utf8');
    assert.match(dead, /request_entity_too_large/);
  } finally {
    await s.cleanup();
  }
});

test('top-level 429 and 503 are retried until accepted', async () => {
  reset();
  const s = await startShipper({ ELASTICSEARCH_URL: es.url });
  try {
    await until('templates installed', () => es.puts.has('/_index_template/logs-vigil'));
    es.topLevelStatus = 503;
    await logRecords(s.logger, 100);
    await until('refused requests', async () => (await s.metric('vigil_shipper_records_total', '{result="retried"}')) > 0);
    assert.equal(await s.metric('vigil_shipper_up'), 0);
    es.topLevelStatus = 429;
    const retried = await s.metric('vigil_shipper_records_total', '{result="retried"}');
    await until('more refusals', async () => (await s.metric('vigil_shipper_records_total', '{result="retried"}')) > retried);
    assert.equal(seqs('logs-vigil.app-default').length, 0);
    es.topLevelStatus = undefined;
    await until('all stored', () => seqs('logs-vigil.app-default').length === 100);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(100));
  } finally {
    await s.cleanup();
  }
});

test('an unexpected error in a batch (a 200 without per-item results) is a retryable failure: the batch is re-sent, never stuck', async () => {
  reset();
  es.malformedBulk = true;
  const s = await startShipper({ ELASTICSEARCH_URL: es.url });
  try {
    await until('templates installed', () => es.puts.size > 0);
    await logRecords(s.logger, 50);
    await until('the batch re-sent', () => es.bulkRequests >= 3);
    assert.equal(await s.metric('vigil_shipper_up'), 0, 'the failure is recorded in the health state');
    // on a slow machine the 50 records can reach the sender in several batches: wait for all of them
    await until('every record retried', async () => (await s.metric('vigil_shipper_records_total', '{result="retried"}')) >= 50);
    assert.equal(es.storedIds().length, 0);
    es.malformedBulk = false;
    await until('all records stored', () => seqs('logs-vigil.app-default').length === 50);
    await until('every record acked', async () => (await s.metric('vigil_shipper_oldest_unacked_age_seconds')) === 0);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(50));
    assert.equal(s.shipper.inFlightBytes(), 0, 'no batch left in flight');
    assert.equal(await s.metric('vigil_shipper_up'), 1);
  } finally {
    await s.cleanup();
  }
});

test('spool overflow during an outage drops the oldest records, counts them, and ships the newest', async () => {
  reset();
  const s = await startShipper({ ELASTICSEARCH_URL: es.url }, { ...FAST, spool: { segment_bytes: '8KiB', max_bytes: '64KiB' } });
  try {
    await until('templates installed', () => es.puts.has('/_index_template/logs-vigil'));
    es.mode = 'down';
    const n = 3000;
    await logRecords(s.logger, n);
    const dropped = await s.metric('vigil_shipper_records_total', '{result="dropped"}');
    assert.ok(dropped > 0, 'some records were dropped');
    assert.ok((await s.metric('vigil_shipper_spool_bytes')) <= 64 * 1024, 'the spool stays within max_bytes');
    es.mode = 'up';
    await until('the newest records stored', () => seqs('logs-vigil.app-default').includes(n - 1));
    await until('everything left delivered', async () => (await s.metric('vigil_shipper_oldest_unacked_age_seconds')) === 0);
    const stored = seqs('logs-vigil.app-default');
    assert.equal(new Set(stored).size, stored.length, 'no record stored twice');
    // the newest records form a contiguous run up to the last one (older ones may come from the
    // batches the sender held in memory when their segment was dropped)
    const tail = stored.slice(stored.indexOf(n - 200));
    assert.deepEqual(tail, range(200).map((i) => i + n - 200));
    const droppedNow = await s.metric('vigil_shipper_records_total', '{result="dropped"}');
    // dropped also counts the shipper's own records ("output is down", "spool full"), hence >=
    assert.ok(stored.length + droppedNow >= n, `every record is stored or counted as dropped (${stored.length} + ${droppedNow})`);
    assert.ok(stored.length + droppedNow <= n + 10, `a record is not both stored and counted as dropped (${stored.length} + ${droppedNow})`);
  } finally {
    await s.cleanup();
  }
});

test('slow Elasticsearch: timed-out requests are re-sent and duplicates are only repeated _ids', async () => {
  reset();
  const s = await startShipper({ ELASTICSEARCH_URL: es.url }, { ...FAST, bulk: { ...FAST.bulk, timeout: '100ms' } });
  try {
    await until('templates installed', () => es.puts.has('/_index_template/logs-vigil'));
    es.mode = 'slow';
    es.delayMs = 250;
    await logRecords(s.logger, 200);
    await until('a timed-out request was stored anyway', () => seqs('logs-vigil.app-default').length > 0);
    es.mode = 'up';
    await until('all stored', () => seqs('logs-vigil.app-default').length === 200);
    await until('every record acked', async () => (await s.metric('vigil_shipper_oldest_unacked_age_seconds')) === 0);
    assert.deepEqual(seqs('logs-vigil.app-default'), range(200));
    const idsBySeq = new Map<number, Set<string>>();
    for (const r of es.received.filter((x) => seqOf(x.doc) >= 0)) {
      const set = idsBySeq.get(seqOf(r.doc)) ?? new Set();
      set.add(r.id);
      idsBySeq.set(seqOf(r.doc), set);
    }
    assert.ok([...idsBySeq.values()].every((ids) => ids.size === 1), 'a re-sent record keeps its _id');
    assert.ok(es.received.some((r) => r.status === 409), `the re-sent copies were answered 409: ${JSON.stringify(es.received.map((r) => [seqOf(r.doc), r.status, r.attempt]))}`);
  } finally {
    await s.cleanup();
  }
});

test('memory stays bounded during a long outage: records wait on disk, not in RAM', async () => {
  reset();
  const s = await startShipper(
    { ELASTICSEARCH_URL: es.url },
    { ...FAST, bulk: { ...FAST.bulk, max_bytes: '64KiB', concurrency: 2 }, spool: { segment_bytes: '256KiB', max_bytes: '100MiB' } },
  );
  try {
    await until('templates installed', () => es.puts.has('/_index_template/logs-vigil'));
    es.mode = 'down';
    let maxInFlight = 0;
    for (let round = 0; round < 10; round++) {
      await logRecords(s.logger, 1000, round * 1000);
      await until('sender has read what it may', () => s.shipper.inFlightBytes() > 0);
      maxInFlight = Math.max(maxInFlight, s.shipper.inFlightBytes());
    }
    const spool = await s.metric('vigil_shipper_spool_bytes');
    assert.ok(spool > 1_000_000, `spool holds the outage on disk (${spool} bytes)`);
    assert.ok(maxInFlight <= 2 * 64 * 1024, `in memory: at most concurrency × bulk.max_bytes (${maxInFlight})`);
  } finally {
    await s.cleanup();
  }
});
