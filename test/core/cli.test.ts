import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = join(import.meta.dirname, '../../bin/vigil.ts');
const QUIET = 'host: {enabled: false}\nprojects: {enabled: false}\ndeployments: {enabled: false}\nshipper: {enabled: false}\n';

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('an invalid config file at start exits 1 naming the file, key path and expectation', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
  const file = join(dir, 'bad.yml');
  await writeFile(file, 'log: {level: loud}\n');
  const p = run(['serve', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0']);
  assert.equal(await p.exit, 1);
  assert.equal(p.err(), `vigil: invalid configuration\n${file}: log.level: Invalid option: expected one of "error"|"warn"|"info"|"debug"\n`);
  const usage = run(['--nope']);
  assert.equal(await usage.exit, 2);
  assert.match(usage.err(), /^vigil: unknown flag --nope\n/);
  await rm(dir, { recursive: true, force: true });
});

test('serve: SIGHUP reloads, an invalid reload keeps running, SIGTERM exits 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-cli-'));
  const file = join(dir, 'vigil.yml');
  await writeFile(file, QUIET);
  const p = run(['serve', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${join(dir, 'data')}`]);
  try {
    const port = await waitFor('the ready log line', () => {
      const m = /"message":"Vigil is ready".*?"port":(\d+)/.exec(p.out());
      return m ? Number(m[1]) : undefined;
    });
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${url}/-/ready`)).status, 200);

    await writeFile(file, `${QUIET}log: {level: nope}\n`);
    p.child.kill('SIGHUP');
    await waitFor('the refused reload', () => (p.out().includes('"config-reload-failed"') ? true : undefined));
    assert.match(await (await fetch(`${url}/metrics`)).text(), /^vigil_config_last_reload_successful 0$/m);

    await writeFile(file, `${QUIET}log: {level: warn}\n`);
    p.child.kill('SIGHUP');
    await waitFor('the reload', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /^vigil_config_last_reload_successful 1$/m.test(text) ? true : undefined;
    });
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
