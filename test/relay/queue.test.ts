import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openQueue, type Entry, type QueueOptions } from '../../relay/queue';
import { samplePayload, withTempDir } from './fixtures';

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir('vigil-relay-queue-', fn);

const options = (dir: string, memoryBytes?: number): QueueOptions => ({
  dir,
  maxBytes: 8 * 1024 * 1024,
  segmentBytes: 4096, // a few entries a segment: positions cross segment boundaries
  fsyncIntervalMs: 0,
  ...(memoryBytes !== undefined ? { memoryBytes } : {}),
});

const keys = (entries: readonly Entry[]): string[] => entries.map((e) => e.payload.groupKey);
/** What a queue holds as the file has it: payloads, accept times and positions. */
const plain = (entries: readonly Entry[]): unknown => JSON.parse(JSON.stringify(entries));

test('entries taken from memory are the ones on disk: same payloads, accept times and positions', () =>
  withDir(async (dir) => {
    const queue = await openQueue(options(dir));
    for (let i = 0; i < 12; i++) assert.ok(queue.push(samplePayload(2, { groupKey: `n${i}` }), 1000 + i));
    const fromMemory = await queue.peek(100);
    assert.deepEqual(keys(fromMemory), Array.from({ length: 12 }, (_, i) => `n${i}`));
    queue.close();
    const reopened = await openQueue(options(dir, 0)); // nothing in memory: every peek reads the file
    assert.deepEqual(plain(await reopened.peek(100)), plain(fromMemory));
    reopened.close();
  }));

test('past memoryBytes the oldest waiting entries are read back from disk, in order, then memory takes over', () =>
  withDir(async (dir) => {
    const line = JSON.stringify({ t: 1000, p: samplePayload(1, { groupKey: 'n0' }) }).length;
    const queue = await openQueue(options(dir, 3 * line + 10)); // about three entries in memory
    for (let i = 0; i < 10; i++) assert.ok(queue.push(samplePayload(1, { groupKey: `n${i}` }), 1000 + i));
    let delivered: string[] = [];
    while (queue.length() > 0) {
      const batch = await queue.peek(2);
      delivered = [...delivered, ...keys(batch)];
      queue.ack(batch.length, (batch[batch.length - 1] as Entry).next);
      if (queue.length() === 4) assert.ok(queue.push(samplePayload(1, { groupKey: 'late' }), 2000));
    }
    assert.deepEqual(delivered, ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'late']);
    assert.equal(queue.oldestReceivedAt(), undefined);
    queue.close();
    const reopened = await openQueue(options(dir));
    assert.equal(reopened.length(), 0, 'the checkpoint covers everything acknowledged');
    reopened.close();
  }));

test('a reopened queue holds what was not acknowledged and serves it from memory with disk positions', () =>
  withDir(async (dir) => {
    const queue = await openQueue(options(dir));
    for (let i = 0; i < 6; i++) queue.push(samplePayload(1, { groupKey: `n${i}` }), 1000 + i);
    const first = await queue.peek(2);
    queue.ack(2, (first[1] as Entry).next);
    queue.close();
    const reopened = await openQueue(options(dir));
    assert.equal(reopened.length(), 4);
    assert.equal(reopened.oldestReceivedAt(), 1002);
    const rest = await reopened.peek(10);
    assert.deepEqual(keys(rest), ['n2', 'n3', 'n4', 'n5']);
    reopened.ack(4, (rest[3] as Entry).next);
    reopened.push(samplePayload(1, { groupKey: 'n6' }), 1006);
    assert.deepEqual(keys(await reopened.peek(10)), ['n6']);
    reopened.close();
    const again = await openQueue(options(dir, 0));
    assert.deepEqual(keys(await again.peek(10)), ['n6']);
    again.close();
  }));

test('a full queue refuses the entry: not on disk, not in memory', () =>
  withDir(async (dir) => {
    const queue = await openQueue({ ...options(dir), maxBytes: 8192 });
    let accepted = 0;
    while (queue.push(samplePayload(1, { groupKey: `n${accepted}` }), 1000)) accepted++;
    assert.ok(accepted > 0);
    assert.equal(queue.length(), accepted);
    assert.equal((await queue.peek(1000)).length, accepted);
    queue.close();
    const reopened = await openQueue(options(dir, 0));
    assert.equal(reopened.length(), accepted);
    reopened.close();
  }));

test('a backlog only on disk is read ahead in batches: in order, and a digest still gets as many as it asks for', () =>
  withDir(async (dir) => {
    const queue = await openQueue(options(dir, 0));
    const total = 600;
    for (let i = 0; i < total; i++) assert.ok(queue.push(samplePayload(1, { groupKey: `n${i}` }), 1000 + i));
    const delivered: string[] = [];
    for (let round = 0; queue.length() > 0; round++) {
      const want = round % 3 === 2 ? 100 : 1; // now and then a digest, past what was read ahead
      const batch = await queue.peek(want);
      assert.equal(batch.length, Math.min(want, queue.length()));
      delivered.push(...keys(batch));
      queue.ack(batch.length, (batch[batch.length - 1] as Entry).next);
    }
    assert.deepEqual(delivered, Array.from({ length: total }, (_, i) => `n${i}`));
    queue.close();
  }));
