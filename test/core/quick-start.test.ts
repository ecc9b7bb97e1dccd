/**
 * The README's quick start: `npm start` builds dist/vigil.mjs and runs it on the repository's
 * vigil.yml. This runs that build and that config (on a free port and a temp data dir) and checks
 * that every default part comes up and serves its metric families.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../helpers/ports';

const ROOT = join(import.meta.dirname, '../..');

test('the built bundle runs the default vigil.yml with every default part', async () => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'vigil-quick-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/vigil.mjs'), 'serve', '--config.file=vigil.yml', `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${dir}`, '--log.level=warn'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GITHUB_WEBHOOK_SECRET: '', VIGIL_API_TOKEN: '' } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let text = '';
    for (let i = 0; i < 100 && !/^project_info\{/m.test(text); i++) {
      await sleep(200);
      assert.equal(child.exitCode, null, `vigil exited: ${stderr}`);
      // Not listening yet, or a connection cut while the parts start: asked again on the next turn.
      text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
    }
    for (const family of ['node_cpu_seconds_total', 'node_memory_MemTotal_bytes', 'vigil_collector_success', 'project_info', 'vigil_build_info']) {
      assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    }
    // Stopped only after it answered: a SIGTERM before its handler is installed would end it by the
    // signal (exit code null) and hide why the test failed.
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
