import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyBulkItems, createBulkBody, toItem, type Item } from '../../shipper/bulk-items';

const item = (n: number): Item => ({ id: `log-0-${n}`, index: 'logs-vigil.app-default', doc: Buffer.from(`{"n":${n}}`) });

test('classifyBulkItems: 2xx and 409 are acked, 429, 5xx and missing results retried, any other status rejected with its reason', () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8].map(item);
  const out = classifyBulkItems(items, {
    items: [
      { create: { _index: 'x', status: 201 } },
      { create: { _index: 'x', status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } },
      { create: { _index: 'x', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'busy' } } },
      { create: { _index: 'x', status: 503 } },
      { create: { _index: 'x', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse', caused_by: { type: 'illegal_argument_exception', reason: 'bad date' } } } },
      { index: { _index: 'x', status: 200 } },
      { create: { _index: 'x', status: 404 } },
      // the eighth item has no result at all
    ],
  });
  assert.equal(out.acked, 3);
  assert.deepEqual(
    out.retry.map((i) => i.id),
    ['log-0-3', 'log-0-4', 'log-0-8'],
  );
  assert.deepEqual(out.rejected, [
    { id: 'log-0-5', index: 'logs-vigil.app-default', status: 400, errorType: 'mapper_parsing_exception', reason: 'failed to parse; caused by illegal_argument_exception: bad date', original: '{"n":5}' },
    { id: 'log-0-7', index: 'logs-vigil.app-default', status: 404, errorType: 'unknown', reason: 'no error object in the response', original: '{"n":7}' },
  ]);
});

test('classifyBulkItems: an empty request and an all-acked one', () => {
  assert.deepEqual(classifyBulkItems([], { items: [] }), { acked: 0, retry: [], rejected: [] });
  assert.deepEqual(classifyBulkItems([item(1)], { items: [{ create: { _index: 'x', status: 201 } }] }), { acked: 1, retry: [], rejected: [] });
});

test('toItem and the bulk body: the dataset selects the data stream, the document is copied as spooled', () => {
  const a = toItem('log', 'prod', { segment: 2, offset: 40, data: Buffer.from('vigil.relay\t{"m":"a"}') });
  assert.deepEqual({ id: a.id, index: a.index, doc: a.doc.toString() }, { id: 'log-2-40', index: 'logs-vigil.relay-prod', doc: '{"m":"a"}' });
  const b = toItem('log', 'prod', { segment: 2, offset: 80, data: Buffer.from('{"no":"tab"}') });
  assert.equal(b.index, 'logs-vigil.app-prod');
  const body = createBulkBody()([a, b]).toString();
  assert.equal(
    body,
    '{"create":{"_index":"logs-vigil.relay-prod","_id":"log-2-40"}}\n{"m":"a"}\n{"create":{"_index":"logs-vigil.app-prod","_id":"log-2-80"}}\n{"no":"tab"}\n',
  );
});
