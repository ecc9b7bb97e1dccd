import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEntries, requestRecord } from '../../relay/delivery-log';
import type { Entry } from '../../relay/queue';
import { samplePayload } from './fixtures';

const entry = (alertnames: string[], status: 'firing' | 'resolved' = 'firing'): Entry => {
  const p = samplePayload(alertnames.length, {}, status);
  return { payload: { ...p, alerts: p.alerts.map((a, i) => ({ ...a, labels: { ...a.labels, alertname: alertnames[i] as string } })) }, receivedAt: 0, next: { segment: 1, offset: 0 } };
};

test('the log names what a message carried, at most five alert names then "and N more"', () => {
  assert.equal(describeEntries([entry(['HostDown']), entry(['HostDown'], 'resolved')]), 'HostDown firing, HostDown resolved');
  assert.equal(describeEntries([entry(['A', 'B', 'C']), entry(['D', 'E', 'F', 'G'])]), 'A firing, B firing, C firing, D firing, E firing and 2 more');
});

test('delivered is info, retried warn, refused for good error with the reason; the fields the saved searches show', () => {
  const ok = requestRecord('ops', 'oapi.dingtalk.com', { kind: 'ok' }, [entry(['HostDown'])], 0, 0.25);
  assert.equal(ok.level, 'info');
  assert.equal(ok.message, 'relay target ops: delivered 1 notification (HostDown firing)');
  assert.deepEqual(ok.fields, {
    vigil: { target: 'ops', notifications: 1, attempt: 0 },
    url: { domain: 'oapi.dingtalk.com' },
    event: { duration: 250_000_000, action: 'relay-notification-delivered', outcome: 'success' },
  });
  const retry = requestRecord('ops', 'h', { kind: 'retry', reason: 'HTTP 502' }, [entry(['A']), entry(['B'])], 2, 1);
  assert.equal(retry.level, 'warn');
  assert.match(retry.message, /sending 2 notifications \(A firing, B firing\) again later: HTTP 502/);
  assert.equal((retry.fields.event as { reason: string }).reason, 'HTTP 502');
  const failed = requestRecord('ops', 'h', { kind: 'permanent', reason: 'errcode 310000: security check failed' }, [entry(['A'])], 0, 0.1);
  assert.equal(failed.level, 'error');
  assert.deepEqual(failed.fields.event, { duration: 100_000_000, action: 'relay-notification-failed', outcome: 'failure', reason: 'errcode 310000: security check failed' });
});
