import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, isEmptyDocument } from '../../core/config';
import { loadConfig } from '../../bin/parts';
import { capturingLogger } from '../exporters/projects/capture';
import { configErrorOf } from '../helpers/config';
import { startVigil } from '../helpers/vigil';

const BIN = join(import.meta.dirname, '../../bin/vigil.ts');
const EMPTY_MESSAGE = 'the file holds no settings (it is empty, or only whitespace and comments); write "{}" to run on every default';
const EMPTY_FILES = ['', '   \n\t\n', '# every line commented out\n#projects:\n', '---\n', '\n# a\n---\n# b\n', '~\n'];

/** Runs the CLI and returns its exit code and stderr. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('an empty, whitespace-only or comment-only file is refused; "{}" asks for the defaults', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-empty-'));
  try {
    const file = join(dir, 'vigil.yml');
    for (const text of EMPTY_FILES) {
      assert.ok(isEmptyDocument(text), JSON.stringify(text));
      await writeFile(file, text);
      await assert.rejects(loadConfig(file, {}), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `${file}: ${EMPTY_MESSAGE}`);
        return true;
      });
    }
    await writeFile(file, '{}\n');
    assert.equal((await loadConfig(file, {})).log.level, 'info');
    assert.ok(!isEmptyDocument('# c\nlog: {level: info}\n'));
    // at start, through the CLI
    await writeFile(file, '\n# truncated\n');
    const started = await cli(['check-config', `--config.file=${file}`]);
    assert.equal(started.code, 1);
    assert.equal(started.stderr, `vigil: invalid configuration\n${file}: ${EMPTY_MESSAGE}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('reloading an emptied file is refused with 400 and the old configuration keeps running', async () => {
  const vigil = await startVigil('log: {level: debug}\nhost: {enabled: false}\nprojects: {enabled: false}\ndeployments: {enabled: false}\nshipper: {enabled: false}\n');
  try {
    for (const text of EMPTY_FILES) {
      await writeFile(vigil.configFile, text);
      const res = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
      assert.equal(res.status, 400, JSON.stringify(text));
      assert.deepEqual(await res.json(), { error: `${vigil.configFile}: ${EMPTY_MESSAGE}` });
      assert.equal(vigil.app.config().log.level, 'debug');
      assert.deepEqual(vigil.app.parts().map((p) => p.name), [], 'parts switched off stay off');
    }
  } finally {
    await vigil.stop();
  }
});

const CHECK = (timeout: string): string =>
  `projects:\n  targets:\n    - name: web\n      checks:\n        - {type: http, url: "http://127.0.0.1:1/", timeout: ${timeout}}\n`;

test('a bad value that came from ${NAME} names the variable, never its value', () => {
  const env = { S3CRET: 'hunter2', PART: 'hunter2xyz', PAT: 'hunter(' };
  const cases: [string, string][] = [
    [CHECK('"${S3CRET}"'), 'projects.targets[0].checks[0].timeout: expected a duration like "500ms", "5s", "1m" or "1h", got the value of ${S3CRET}'],
    [CHECK('"${PART}s"'), 'projects.targets[0].checks[0].timeout: expected a duration like "500ms", "5s", "1m" or "1h", got the value of "${PART}s"'],
    ['host: {filesystem: {mount_points_exclude: "${PAT}"}}\n', 'host.filesystem.mount_points_exclude: expected a regular expression, got the value of ${PAT}'],
    ['log: {level: "${S3CRET}"}\n', 'log.level: Invalid option: expected one of "error"|"warn"|"info"|"debug"'],
    ['deployments: {body_limit: "${S3CRET}"}\n', 'deployments.body_limit: expected a size like "512KiB", "2MiB" or "1GiB", got the value of ${S3CRET}'],
  ];
  for (const [yaml, expected] of cases) {
    const message = configErrorOf(yaml, env);
    assert.equal(message, `vigil.yml: ${expected}`, yaml);
    assert.ok(!message.includes('hunter'), message);
  }
  // a bad value written in the file itself is still shown
  assert.match(configErrorOf(CHECK('soon')), /got "soon"$/);
});

test('the secret is in neither the reload answer, the log, nor the CLI error', async () => {
  const env = { S3CRET: 'hunter2' };
  const { logger, records } = capturingLogger();
  const vigil = await startVigil('log: {level: info}\nhost: {enabled: false}\nprojects: {enabled: false}\ndeployments: {enabled: false}\nshipper: {enabled: false}\n', { env, logger });
  try {
    await writeFile(vigil.configFile, CHECK('"${S3CRET}"'));
    const res = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.match(body, /got the value of \$\{S3CRET\}/);
    assert.ok(!body.includes('hunter2'));
    const logged = JSON.stringify(records);
    assert.match(logged, /config-reload-failed/);
    assert.ok(!logged.includes('hunter2'));
    const started = await cli(['check-config', `--config.file=${vigil.configFile}`], env);
    assert.equal(started.code, 1);
    assert.match(started.stderr, /got the value of \$\{S3CRET\}\n$/);
    assert.ok(!started.stderr.includes('hunter2'));
  } finally {
    await vigil.stop();
  }
});
