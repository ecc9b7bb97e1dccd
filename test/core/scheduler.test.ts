import { test } from 'node:test';
import assert from 'node:assert/strict';
import { every, jitterFor } from '../../core/scheduler';

test('every: any interval, the first run one interval plus the random phase later, then every interval until stopped', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const runs: number[] = [];
  let now = 0;
  const tick = (ms: number): void => {
    now += ms;
    t.mock.timers.tick(ms);
  };
  const s = every(90_000, () => runs.push(now), { jitterMs: jitterFor(90_000), random: () => 0.5 });
  tick(94_499);
  assert.deepEqual(runs, [], 'not before 90 s + half of the 9 s jitter window');
  tick(1);
  assert.deepEqual(runs, [94_500]);
  tick(90_000);
  tick(90_000);
  assert.deepEqual(runs, [94_500, 184_500, 274_500]);
  s.stop();
  tick(90_000 * 3);
  assert.equal(runs.length, 3, 'no run after stop');
});

test('every: schedules made together start at different phases; a stop before the first run cancels it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const fired: string[] = [];
  const randoms = [0, 0.99];
  const a = every(60_000, () => fired.push('a'), { jitterMs: 6_000, random: () => randoms[0] as number });
  const b = every(60_000, () => fired.push('b'), { jitterMs: 6_000, random: () => randoms[1] as number });
  const c = every(60_000, () => fired.push('c'));
  c.stop();
  t.mock.timers.tick(60_000);
  assert.deepEqual(fired, ['a']);
  t.mock.timers.tick(5_940);
  assert.deepEqual(fired, ['a', 'b']);
  a.stop();
  b.stop();
  assert.throws(() => every(0, () => undefined), /expected an interval above zero, got 0 ms/);
  assert.equal(jitterFor(90_000), 9_000);
  assert.equal(jitterFor(3_600_000), 10_000);
});
