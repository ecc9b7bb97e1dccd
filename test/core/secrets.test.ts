import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import winston from 'winston';
import { ecsLogFormat } from '../../core/logger';
import { readSecret, Secret, SecretError } from '../../core/secrets';

test('a secret comes from the config file, else VAR_FILE, else VAR; trimmed; unset is undefined', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-secret-'));
  try {
    await writeFile(join(dir, 'a'), '  from-config-file \n');
    await writeFile(join(dir, 'b'), 'from-env-file\r\n');
    const env = { S: ' from-env\t', S_FILE: '' };
    const got = async (e: Record<string, string>, file?: string) => (await readSecret(e, { variable: 'S', file }))?.reveal();
    assert.equal(await got(env), 'from-env');
    assert.equal(await got({ S_FILE: join(dir, 'b') }), 'from-env-file');
    assert.equal(await got({ S: 'x', S_FILE: join(dir, 'b') }, join(dir, 'a')), 'from-config-file', 'the config file wins');
    assert.equal(await got({}), undefined);
    assert.equal(await got({ S: '' }), undefined);
    assert.equal(await got({ S: '  ' }), undefined);
    const origin = (await readSecret({ S_FILE: join(dir, 'b') }, { variable: 'S' }))?.origin;
    assert.equal(origin, `file ${join(dir, 'b')}`);
    assert.equal((await readSecret({ S: 'v' }, { variable: 'S' }))?.origin, 'environment variable S');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unusable secret is a SecretError naming the source, never the value', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-secret-'));
  try {
    await writeFile(join(dir, 'empty'), '\n');
    const table: [Record<string, string>, string | undefined, RegExp][] = [
      [{ S: 'hunter2', S_FILE: join(dir, 'empty') }, undefined, /^S and S_FILE are both set; expected only one$/],
      [{ S_FILE: join(dir, 'nope') }, undefined, /^S_FILE: cannot read the secret file .*nope \(ENOENT\)$/],
      [{ S_FILE: join(dir, 'empty') }, undefined, /^S_FILE: the secret file .*empty is empty$/],
      [{}, join(dir, 'nope'), /^x.secret_file: cannot read the secret file .*nope \(ENOENT\)$/],
    ];
    for (const [env, file, message] of table) {
      await assert.rejects(readSecret(env, { variable: 'S', file, fileKey: 'x.secret_file' }), (err: Error) => {
        assert.ok(err instanceof SecretError);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a secret never shows its value in JSON, strings, inspect or a log record', () => {
  const s = new Secret('hunter2', 'environment variable S');
  assert.equal(JSON.stringify({ s }), '{"s":"[secret]"}');
  assert.equal(`${String(s)}`, '[secret]');
  assert.doesNotMatch(inspect({ s }), /hunter2/);
  const lines: string[] = [];
  const logger = winston.createLogger({
    format: ecsLogFormat(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _enc, done) {
            lines.push(chunk.toString('utf8'));
            done();
          },
        }),
      }),
    ],
  });
  logger.info('configured', { vigil: { secret: s } });
  logger.info(`secret is ${String(s)}`);
  assert.equal(lines.length, 2);
  for (const l of lines) assert.doesNotMatch(l, /hunter2/);
  assert.match(lines[0] as string, /"secret":"\[secret\]"/);
  assert.equal(s.reveal(), 'hunter2');
});
