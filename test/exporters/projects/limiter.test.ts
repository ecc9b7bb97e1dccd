import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLimiter } from '../../../exporters/projects/limiter';
import { nextStatus, type Damped } from '../../../exporters/projects/status';

/** A task that runs until released. */
function gate(): { task: () => Promise<string>; release: () => void; started: boolean } {
  let release!: () => void;
  const g = {
    started: false,
    release: () => release(),
    task: () => {
      g.started = true;
      return new Promise<string>((resolve) => (release = () => resolve('done')));
    },
  };
  return g;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('limiter: at most `limit` tasks run, the rest start in order as slots free up or the bound grows', async () => {
  const limiter = createLimiter(2);
  const gates = Array.from({ length: 5 }, gate);
  const results = gates.map((g) => limiter.run(g.task));
  await tick();
  assert.deepEqual(gates.map((g) => g.started), [true, true, false, false, false]);
  assert.equal(limiter.active, 2);
  assert.equal(limiter.waiting, 3);
  gates[0]?.release();
  await tick();
  assert.deepEqual(gates.map((g) => g.started), [true, true, true, false, false]);
  limiter.resize(4);
  await tick();
  assert.deepEqual(gates.map((g) => g.started), [true, true, true, true, true]);
  for (const g of gates) g.release();
  assert.deepEqual(await Promise.all(results), ['done', 'done', 'done', 'done', 'done']);
  assert.equal(limiter.active, 0);
});

test('limiter: a failing task frees its slot and rejects only its own caller', async () => {
  const limiter = createLimiter(1);
  const failed = limiter.run(() => Promise.reject(new Error('nope')));
  const next = limiter.run(() => Promise.resolve(42));
  await assert.rejects(failed, /nope/);
  assert.equal(await next, 42);
  assert.throws(() => createLimiter(0), /positive integer/);
});

test('flap damping: down after `retries` consecutive failures, up on the first success', () => {
  const run = (retries: number, outcomes: boolean[]): string[] => {
    let s: Damped = { status: 'unknown', failures: 0 };
    return outcomes.map((ok) => (s = nextStatus(s, ok, retries)).status);
  };
  assert.deepEqual(run(1, [true, false, true]), ['up', 'down', 'up']);
  assert.deepEqual(run(3, [true, false, false, true, false, false, false]), ['up', 'up', 'up', 'up', 'up', 'up', 'down']);
  assert.deepEqual(run(2, [false, false, false, true]), ['unknown', 'down', 'down', 'up']);
});
