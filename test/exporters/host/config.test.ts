import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../core/config';
import { parseConfig } from '../../../bin/parts';
import { COLLECTOR_NAMES, DEFAULT_DISK_DEVICE_EXCLUDE, DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from '../../../exporters/host/config';

describe('host config', () => {
  test('defaults: every collector, /proc, /sys, /, 5 s timeout and node_exporter excludes', () => {
    const host = parseConfig('', 'vigil.yml', {}).host;
    assert.equal(host.enabled, true);
    assert.deepEqual([host.procfs, host.sysfs, host.rootfs], ['/proc', '/sys', '/']);
    assert.equal(host.collector_timeout, 5000);
    assert.deepEqual(host.collectors, [...COLLECTOR_NAMES]);
    assert.equal(host.filesystem.mount_points_exclude.source, new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE).source);
    assert.equal(host.filesystem.fs_types_exclude.source, new RegExp(DEFAULT_FS_TYPES_EXCLUDE).source);
    assert.equal(host.filesystem.mount_timeout, 2000);
    assert.equal(host.netdev.device_exclude, undefined);
    assert.equal(host.diskstats.device_exclude.source, new RegExp(DEFAULT_DISK_DEVICE_EXCLUDE).source);
  });

  test('a valid section is taken as written', () => {
    const host = parseConfig(
      'host:\n  procfs: /host/proc\n  collector_timeout: 1500ms\n  collectors: [cpu, meminfo]\n  netdev:\n    device_exclude: "^veth"\n',
      'vigil.yml',
      {},
    ).host;
    assert.equal(host.procfs, '/host/proc');
    assert.equal(host.collector_timeout, 1500);
    assert.equal(host.filesystem.mount_timeout, 750, 'the mount timeout defaults to half a short collector timeout');
    assert.deepEqual(host.collectors, ['cpu', 'meminfo']);
    assert.equal(host.netdev.device_exclude?.test('veth12ab'), true);
    assert.equal(host.netdev.device_exclude?.test('eth0'), false);
  });

  test("the README's example is valid and spells out the defaults", async () => {
    const readme = await readFile(new URL('../../../exporters/host/README.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(yaml);
    const example = parseConfig(yaml, 'README.md', {}).host;
    const defaults = parseConfig('', 'vigil.yml', {}).host;
    const text = (c: unknown): string => JSON.stringify(c, (_k, v: unknown) => (v instanceof RegExp ? v.source : v));
    assert.equal(example.netdev.device_exclude?.source, '^veth');
    assert.equal(example.netclass.device_exclude?.source, '^veth');
    assert.equal(example.textfile.directory, '/var/lib/prometheus/node-exporter');
    const optional = { netdev: {}, netclass: {}, textfile: {} };
    assert.equal(text({ ...example, ...optional }), text({ ...defaults, ...optional }));
  });

  const invalid: [string, string][] = [
    ['host:\n  collector_timeout: soon\n', 'vigil.yml: host.collector_timeout: expected a duration like "500ms", "5s", "1m" or "1h", got "soon"'],
    ['host:\n  collector_timeout: 0s\n', 'vigil.yml: host.collector_timeout: expected a duration greater than zero'],
    [
      'host:\n  collectors: [cpu, gpu]\n',
      `vigil.yml: host.collectors[1]: Invalid option: expected one of ${COLLECTOR_NAMES.map((n) => `"${n}"`).join('|')}`,
    ],
    ['host:\n  collectors: [cpu, cpu]\n', 'vigil.yml: host.collectors: expected each collector at most once'],
    ['host:\n  vmstat:\n    fields: "^(pg"\n', 'vigil.yml: host.vmstat.fields: expected a regular expression, got "^(pg" (Invalid regular expression: /^(pg/: Unterminated group)'],
    ['host:\n  textfile:\n    directory: ""\n', 'vigil.yml: host.textfile.directory: expected a non-empty path'],
    ['host:\n  textfile:\n    dir: /tmp\n', 'vigil.yml: host.textfile: unknown key "dir"'],
    ['host:\n  collectors: cpu\n', 'vigil.yml: host.collectors: Invalid input: expected array, received string'],
    ['host:\n  procfs: ""\n', 'vigil.yml: host.procfs: expected a non-empty path'],
    [
      'host:\n  filesystem:\n    fs_types_exclude: "^(tmpfs"\n',
      'vigil.yml: host.filesystem.fs_types_exclude: expected a regular expression, got "^(tmpfs" (Invalid regular expression: /^(tmpfs/: Unterminated group)',
    ],
    [
      'host:\n  filesystem:\n    mount_timeout: 5s\n',
      'vigil.yml: host.filesystem.mount_timeout: expected a duration shorter than host.collector_timeout (5000 ms), got 5000 ms',
    ],
    ['host:\n  filesystem:\n    mount_point_exclude: x\n', 'vigil.yml: host.filesystem: unknown key "mount_point_exclude"'],
    ['host:\n  enabled: yes please\n', 'vigil.yml: host.enabled: Invalid input: expected boolean, received string'],
    ['host:\n  netdev:\n    device_exclude: 12\n', 'vigil.yml: host.netdev.device_exclude: Invalid input: expected string, received number'],
    ['host:\n  colectors: [cpu]\n', 'vigil.yml: host: unknown key "colectors"'],
  ];
  for (const [yaml, message] of invalid) {
    test(`refuses ${JSON.stringify(yaml)}`, () => {
      assert.throws(
        () => parseConfig(yaml, 'vigil.yml', {}),
        (err: unknown) => err instanceof ConfigError && err.message === message,
        message,
      );
    });
  }
});
