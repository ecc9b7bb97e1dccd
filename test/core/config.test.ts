import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_FILE as FILE, configErrorOf } from '../helpers/config';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/config';
import { loadConfig, parseConfig } from '../../bin/parts';
import { parseDuration } from '../../core/duration';



test('empty text parses to the defaults (loadConfig refuses such a file: config-safety.test.ts)', () => {
  const config = parseConfig('', FILE, {});
  assert.equal(config.log.level, 'info');
  assert.equal(config.storage.path, 'data');
  assert.equal(config.host.enabled, true);
});

test('the repository default vigil.yml is valid', async () => {
  const config = await loadConfig(join(import.meta.dirname, '../../vigil.yml'), {});
  assert.equal(config.host.enabled, true);
});

test('invalid core sections give the file, the key path and what was expected', () => {
  const table: [string, string][] = [
    ['log: {level: loud}', `${FILE}: log.level: Invalid option: expected one of "error"|"warn"|"info"|"debug"`],
    ['colour: blue', `${FILE}: unknown key "colour"`],
    ['log: {level: info, colour: 1}', `${FILE}: log: unknown key "colour"`],
    ['storage: {path: ""}', `${FILE}: storage.path: Too small: expected string to have >=1 characters`],
    ['storage: [1]', `${FILE}: storage: Invalid input: expected object, received array`],
    ['- a\n- b', `${FILE}: expected a mapping at the top level`],
    ['storage: {path: "${NOPE}"}', `${FILE}: storage.path: environment variable NOPE is not set`],
  ];
  for (const [yaml, expected] of table) assert.equal(configErrorOf(yaml), expected, yaml);
});

test('invalid YAML and duplicate keys are refused', () => {
  assert.match(configErrorOf('log: {level: info'), /^vigil\.yml: invalid YAML: /);
  assert.match(configErrorOf('log: {}\nlog: {}'), /^vigil\.yml: invalid YAML: Map keys must be unique/);
});

test('${VAR} is interpolated in values only, "$$" is a literal dollar', () => {
  const config = parseConfig('storage: {path: "${DIR}/x$$y"}', FILE, { DIR: '/srv: {evil: 1}' });
  assert.equal(config.storage.path, '/srv: {evil: 1}/x$y');
});

test('a missing file is a ConfigError naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-cfg-'));
  await assert.rejects(loadConfig(join(dir, 'absent.yml'), {}), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, `${join(dir, 'absent.yml')}: cannot read the config file (ENOENT)`);
    return true;
  });
  await writeFile(join(dir, 'ok.yml'), 'log: {level: debug}\n');
  assert.equal((await loadConfig(join(dir, 'ok.yml'), {})).log.level, 'debug');
});

test('durations parse Prometheus-style units', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1.5m'), 90_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('30d'), 2_592_000_000);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5 parsecs'), undefined);
});

test('the root schema is built from the parts listed: each section under its name, two claims refused', async () => {
  const { z } = await import('zod');
  const { definePart } = await import('../../core/part');
  const { parseConfig: parseWith, rootSchema } = await import('../../core/config');
  const { datasetsOf } = await import('../../core/logger');
  const part = (section: string, dataset: string) =>
    definePart({
      section,
      schema: z.strictObject({ enabled: z.boolean().default(true), size: z.number().int().default(3) }),
      dataset,
      families: [],
      create: () => assert.fail('not created by parsing'),
    });
  const parts = [part('alpha', 'vigil.alpha'), part('beta', 'vigil.app')];
  const config = parseWith('beta: {size: 5}\n', FILE, {}, parts) as unknown as Record<string, unknown>;
  assert.deepEqual(config.alpha, { enabled: true, size: 3 });
  assert.deepEqual(config.beta, { enabled: true, size: 5 });
  assert.throws(() => parseWith('host: {}\n', FILE, {}, parts), new ConfigError(FILE, [{ path: '', message: 'unknown key "host"' }]));
  assert.throws(() => parseWith('alpha: {size: x}\n', FILE, {}, parts), /alpha\.size: Invalid input: expected number/);
  assert.throws(() => rootSchema([part('alpha', 'a'), part('alpha', 'b')]), /the config section "alpha" is already taken/);
  assert.throws(() => rootSchema([part('log', 'a')]), /the config section "log" is already taken/);
  assert.deepEqual(datasetsOf(parts), ['vigil.app', 'vigil.alpha']);
});
