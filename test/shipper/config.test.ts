import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../core/config';
import { parseConfig } from '../../bin/parts';

test('shipper defaults: 1 GiB spool dropping the oldest, 30 days retention, namespace "default"', () => {
  const { shipper } = parseConfig('', 'vigil.yml', {});
  assert.equal(shipper.enabled, true);
  assert.equal(shipper.spool.max_bytes, 1024 ** 3);
  assert.equal(shipper.spool.overflow, 'drop_oldest');
  assert.equal(shipper.retention_days, 30);
  assert.equal(shipper.namespace, 'default');
  assert.equal(shipper.backoff.max, 60_000);
  assert.equal(shipper.bulk.flush_interval, 1000);
});

test('shipper settings are parsed with units', () => {
  const { shipper } = parseConfig(
    'shipper:\n  namespace: prod\n  spool: { max_bytes: 2GiB, overflow: drop_newest }\n  bulk: { max_bytes: 1MiB, flush_interval: 250ms, concurrency: 4 }\n  retention_days: 7\n',
    'vigil.yml',
    {},
  );
  assert.equal(shipper.namespace, 'prod');
  assert.equal(shipper.spool.max_bytes, 2 * 1024 ** 3);
  assert.equal(shipper.spool.overflow, 'drop_newest');
  assert.equal(shipper.bulk.max_bytes, 1024 ** 2);
  assert.equal(shipper.bulk.flush_interval, 250);
  assert.equal(shipper.bulk.concurrency, 4);
  assert.equal(shipper.retention_days, 7);
});

const refused: [string, string, RegExp][] = [
  ['unknown key', 'shipper:\n  spool: { max_byte: 1GiB }\n', /shipper\.spool: unknown key "max_byte"/],
  ['bad size', 'shipper:\n  spool: { max_bytes: lots }\n', /shipper\.spool\.max_bytes: expected a size/],
  ['bad policy', 'shipper:\n  spool: { overflow: block }\n', /shipper\.spool\.overflow/],
  ['bad namespace', 'shipper:\n  namespace: Prod-1\n', /shipper\.namespace: expected lower-case/],
  ['retention', 'shipper:\n  retention_days: 0\n', /shipper\.retention_days/],
  ['spool smaller than two segments', 'shipper:\n  spool: { max_bytes: 1MiB, segment_bytes: 1MiB }\n', /shipper\.spool\.max_bytes: expected at least twice/],
  ['backoff', 'shipper:\n  backoff: { initial: 10s, max: 1s }\n', /shipper\.backoff\.max/],
];

for (const [name, yaml, message] of refused) {
  test(`shipper config refused: ${name}`, () => {
    assert.throws(
      () => parseConfig(yaml, 'vigil.yml', {}),
      (err: unknown) => err instanceof ConfigError && message.test(err.message),
    );
  });
}
