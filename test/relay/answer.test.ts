import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAnswer, classifyError } from '../../relay/robots/answer';

const ok = (errcode: number, errmsg = ''): string => JSON.stringify({ errcode, errmsg });

test('errcode 0 is delivered', () => {
  assert.deepEqual(classifyAnswer(200, ok(0, 'ok')), { kind: 'ok' });
});

const cases: [string, number, string, 'retry' | 'permanent', RegExp][] = [
  ['DingTalk rate limit 130101', 200, ok(130101, 'send too fast, exceed 20 times per minute'), 'retry', /130101.*rate limited.*send too fast/],
  ['DingTalk rate limit 410100', 200, ok(410100, '发送速度太快而限流'), 'retry', /410100/],
  ['WeCom frequency limit 45009', 200, ok(45009, 'api freq out of limit'), 'retry', /45009.*api freq out of limit/],
  ['system busy -1', 200, ok(-1, 'system busy'), 'retry', /-1/],
  ['HTTP 500', 500, 'oops', 'retry', /HTTP 500/],
  ['HTTP 503', 503, '', 'retry', /HTTP 503/],
  ['HTTP 429', 429, '', 'retry', /HTTP 429/],
  ['a 200 that is not JSON (a proxy page)', 200, '<html>', 'retry', /not JSON/],
  ['a 200 without errcode', 200, '{}', 'retry', /without an errcode/],
  ['DingTalk signature mismatch 310000', 200, ok(310000, 'sign not match'), 'permanent', /310000.*security.*sign not match/],
  ['DingTalk keyword missing 310000', 200, ok(310000, 'keywords not in content'), 'permanent', /keywords not in content/],
  ['DingTalk token missing 400101', 200, ok(400101, 'access_token不存在'), 'permanent', /400101.*access_token does not exist/],
  ['DingTalk robot disabled 400102', 200, ok(400102, '机器人已停用'), 'permanent', /400102.*disabled/],
  ['DingTalk robot missing 400106', 200, ok(400106, 'robot 不存在'), 'permanent', /400106.*does not exist/],
  ['WeCom invalid webhook 93000', 200, ok(93000, 'invalid webhook url'), 'permanent', /93000.*invalid webhook URL/],
  ['WeCom content too long 40058', 200, ok(40058, 'markdown.content exceed max length 4096'), 'permanent', /40058/],
  ['an unknown errcode', 200, ok(777777, 'strange'), 'permanent', /777777.*strange/],
  ['HTTP 404', 404, 'not found', 'permanent', /HTTP 404/],
  ['HTTP 403', 403, 'forbidden', 'permanent', /HTTP 403/],
];
for (const [name, status, body, kind, reason] of cases) {
  test(`robot answer: ${name} is ${kind}`, () => {
    const r = classifyAnswer(status, body);
    assert.equal(r.kind, kind);
    assert.match('reason' in r ? r.reason : '', reason);
  });
}

test('no answer (refused, timed out) is retried', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  assert.deepEqual(classifyError(refused), { kind: 'retry', reason: 'ECONNREFUSED' });
  const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
  assert.deepEqual(classifyError(timeout), { kind: 'retry', reason: 'timed out' });
});
