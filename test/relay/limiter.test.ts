import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { batchSize, startDispatcher, type Clock } from '../../relay/dispatcher';
import { createLimiter } from '../../relay/limiter';
import { LIMITER_FILE, loadSendTimes, sendTimesWriter } from '../../relay/limiter-store';
import { openQueue, type Entry, type NotificationQueue } from '../../relay/queue';
import type { Outcome } from '../../relay/robots/answer';
import { samplePayload, withTempDir } from './fixtures';

/** Simulated time: sleeping moves the clock at once. */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 1_000_000,
    now: () => c.t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        c.t += ms;
        setImmediate(resolve);
      }),
  };
  return c;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), what);
}

type SendFn = (entries: readonly Entry[]) => Promise<Outcome>;

/** A dispatcher of 20 requests a minute on simulated time. */
function dispatch(queue: NotificationQueue, clock: Clock, send: SendFn, onRequest: (o: Outcome, entries: readonly Entry[]) => void = () => undefined) {
  return startDispatcher({
    queue,
    limiter: createLimiter(20, 60_000),
    clock,
    maxDigest: 100,
    backoff: { initialMs: 1000, maxMs: 60_000 },
    send,
    onRequest,
    onError: (err) => assert.fail(String(err)),
  });
}

const withQueue = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir('relay-limiter-', fn);

test('the limiter allows `limit` requests in any window and says how long to wait', () => {
  const l = createLimiter(3, 60_000);
  assert.equal(l.remaining(0), 3);
  l.record(0);
  l.record(10_000);
  l.record(20_000);
  assert.equal(l.remaining(30_000), 0);
  assert.equal(l.waitMs(30_000), 30_000);
  assert.equal(l.waitMs(60_000), 0);
  assert.equal(l.remaining(60_000), 1);
});

test('the request times outlive the limiter: a new one from the saved times allows no more in the window', () =>
  withQueue(async (dir) => {
    const file = join(dir, LIMITER_FILE);
    const errors: unknown[] = [];
    const save = sendTimesWriter(file, (err) => errors.push(err));
    const first = createLimiter(3, 60_000, { sent: loadSendTimes(file, assert.fail), onRecord: save });
    for (const t of [1_000, 2_000, 3_000, 4_000]) first.record(t);
    await new Promise((r) => setImmediate(r)); // the save waits for the turn of the event loop
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { sent: [2_000, 3_000, 4_000] }, 'the last `limit` times, one save for the four');
    const second = createLimiter(3, 60_000, { sent: loadSendTimes(file, assert.fail) });
    assert.equal(second.remaining(5_000), 0, 'a restart does not reset the window');
    assert.equal(second.waitMs(5_000), 57_000);
    assert.equal(second.remaining(62_000), 1);
    assert.deepEqual(errors, []);
  }));

test('saved request times: no file is none; a broken file is reported and ignored; a failed save is reported', () =>
  withQueue(async (dir) => {
    const file = join(dir, LIMITER_FILE);
    assert.deepEqual(loadSendTimes(file, assert.fail), []);
    for (const text of ['{"sent": [1, "x"]}', 'not json', '[1,2]']) {
      await writeFile(file, text);
      const reasons: string[] = [];
      assert.deepEqual(loadSendTimes(file, (r) => reasons.push(r)), [], text);
      assert.equal(reasons.length, 1, text);
    }
    const errors: unknown[] = [];
    sendTimesWriter(join(dir, 'missing-folder', LIMITER_FILE), (err) => errors.push(err))([1]);
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
  }));

test('one at a time while there is room; everything waiting in one digest on the last request', () => {
  assert.equal(batchSize(1, 1, 100), 1);
  assert.equal(batchSize(5, 10, 100), 1);
  assert.equal(batchSize(5, 1, 100), 5);
  assert.equal(batchSize(500, 1, 100), 100);
});

for (const total of [21, 150]) {
  test(`${total} notifications at once: at most 20 robot requests a minute, nothing lost`, () =>
    withQueue(async (dir) => {
      const clock = fakeClock();
      const queue = await openQueue({ dir, maxBytes: 8 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 0 });
      for (let i = 0; i < total; i++) assert.ok(queue.push(samplePayload(1, { groupKey: `n${i}` }), clock.now()));
      const requests: { at: number; keys: string[] }[] = [];
      const dispatcher = dispatch(queue, clock, (entries) => {
        requests.push({ at: clock.now(), keys: entries.map((e) => e.payload.groupKey) });
        return Promise.resolve({ kind: 'ok' });
      });
      await until(() => queue.length() === 0, 'the queue drains');
      await dispatcher.stop();
      queue.close();
      const delivered = requests.flatMap((r) => r.keys);
      assert.deepEqual(delivered, Array.from({ length: total }, (_, i) => `n${i}`), 'every notification once, in order');
      for (const r of requests) {
        const inWindow = requests.filter((o) => o.at > r.at - 60_000 && o.at <= r.at).length;
        assert.ok(inWindow <= 20, `${inWindow} requests in the minute before ${r.at}`);
      }
      if (total === 21) {
        assert.equal(requests.length, 20);
        assert.deepEqual(requests[19]?.keys, ['n19', 'n20'], 'the last request of the minute is a digest of the rest');
      } else {
        assert.ok(requests.some((r) => r.at >= 1_060_000), 'past 20 + a digest of 100, the rest waits for the next minute');
      }
    }));
}

test('a retryable failure is sent again with backoff and counts against the limit; a permanent one is not retried', () =>
  withQueue(async (dir) => {
    const clock = fakeClock();
    const queue = await openQueue({ dir, maxBytes: 8 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 0 });
    queue.push(samplePayload(1, { groupKey: 'a' }), clock.now());
    queue.push(samplePayload(1, { groupKey: 'b' }), clock.now());
    const answers: Outcome[] = [
      { kind: 'retry', reason: 'errcode 130101' },
      { kind: 'retry', reason: 'HTTP 502' },
      { kind: 'ok' },
      { kind: 'permanent', reason: 'errcode 310000' },
    ];
    const seen: { key: string; at: number; outcome: Outcome['kind'] }[] = [];
    const dispatcher = dispatch(
      queue,
      clock,
      () => Promise.resolve(answers.shift() ?? { kind: 'ok' }),
      (outcome, entries) => seen.push({ key: entries[0]?.payload.groupKey ?? '', at: clock.now(), outcome: outcome.kind }),
    );
    await until(() => queue.length() === 0, 'the queue drains');
    await dispatcher.stop();
    queue.close();
    assert.deepEqual(
      seen.map((s) => `${s.key}:${s.outcome}`),
      ['a:retry', 'a:retry', 'a:ok', 'b:permanent'],
    );
    assert.ok((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0) >= 500, 'waited before the second attempt');
    assert.ok((seen[2]?.at ?? 0) - (seen[1]?.at ?? 0) >= 1000, 'the backoff grows');
  }));
