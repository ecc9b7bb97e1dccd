import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePayload } from '../../relay/payload';
import { samplePayload } from './fixtures';

test('an Alertmanager v4 payload is accepted; unknown keys are ignored', () => {
  const r = parsePayload({ ...samplePayload(2), somethingNew: true });
  assert.ok(r.ok);
  assert.equal(r.payload.alerts.length, 2);
  assert.equal(r.payload.alerts[0]?.labels.host, 'web-1');
});

const bad: [string, unknown, RegExp][] = [
  ['not an object', 'hello', /\(payload\)/],
  ['another version', { ...samplePayload(), version: '3' }, /version/],
  ['no alerts', { ...samplePayload(), alerts: [] }, /alerts/],
  ['a bad status', { ...samplePayload(), status: 'pending' }, /status/],
  ['a bad time', { ...samplePayload(), alerts: [{ ...samplePayload().alerts[0], startsAt: 'yesterday' }] }, /alerts\.0\.startsAt: expected an RFC 3339 time/],
  ['a label that is not a string', { ...samplePayload(), alerts: [{ ...samplePayload().alerts[0], labels: { a: 1 } }] }, /alerts\.0\.labels\.a/],
  ['no groupKey', { ...samplePayload(), groupKey: undefined }, /groupKey/],
];
for (const [name, body, reason] of bad) {
  test(`a payload with ${name} is refused with the reason`, () => {
    const r = parsePayload(body);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problems.join('\n'), reason);
  });
}
