import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectsPart } from '../../../exporters/projects/part';
import { PARTS } from '../../../bin/parts';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { capturingLogger } from './capture';
import { closedPort, httpServer } from './servers';

async function metrics(vigil: RunningVigil): Promise<string> {
  const res = await fetch(`${vigil.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** Polls /metrics until `ok` holds (the first run happens in the background after start). */
async function waitForMetrics(vigil: RunningVigil, ok: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 200; i++) {
    text = await metrics(vigil);
    if (ok(text)) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`metrics never matched:\n${text}`);
}

test('Vigil serves project results on /metrics and POST /-/reload adds and removes projects', async (t) => {
  const web = await httpServer((_req, res) => res.end('ok'));
  t.after(() => web.close());
  const down = await closedPort();
  const yaml = (targets: string): string => `projects:\n  interval: 1m\n  targets:\n${targets}`;
  const webTarget = `    - {name: web, labels: {team: shop}, checks: [{type: http, url: "http://127.0.0.1:${web.port}/"}]}\n`;
  const dbTarget = `    - {name: db, checks: [{type: tcp, address: "127.0.0.1:${down}"}]}\n`;
  const { logger, records } = capturingLogger();
  const vigil = await startVigil(yaml(webTarget + dbTarget), { parts: [projectsPart], logger });
  t.after(() => vigil.stop());

  let text = await waitForMetrics(vigil, (m) => m.includes('project_up{project="web"}') && m.includes('project_up{project="db"}'));
  assert.match(text, /^project_up\{project="web"\} 1$/m);
  assert.match(text, /^project_up\{project="db"\} 0$/m);
  assert.match(text, /^project_info\{project="web",team="shop"\} 1$/m);

  await writeFile(vigil.configFile, yaml(webTarget));
  const res = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
  assert.equal(res.status, 200);
  text = await metrics(vigil);
  assert.doesNotMatch(text, /project="db"/);
  assert.match(text, /^project_up\{project="web"\} 1$/m, 'the unchanged project keeps its state');
  const changes = records.filter((r) => (r.event as { action?: string }).action === 'project-status-changed');
  assert.equal(changes.length, 2, 'one event per project at its first run, none from the reload');
});

test("the default vigil.yml's example project is Vigil's own /-/healthy, and it is up", async (t) => {
  const original = await readFile(join(import.meta.dirname, '../../../vigil.yml'), 'utf8');
  assert.match(original, /url: http:\/\/127\.0\.0\.1:9470\/-\/healthy/);
  // The default file has every part's section, so it is read with every part of the composition root.
  const vigil = await startVigil('projects: {targets: []}\n', { parts: PARTS });
  t.after(() => vigil.stop());
  // Point the example at this test's Vigil: its port, and its process through a pid file
  // (the shipped command-line regex matches `npm start`, not a test runner).
  const pidFile = join(vigil.dir, 'vigil.pid');
  await writeFile(pidFile, String(process.pid));
  const cmdline = /^( +)cmdline: .*$/m;
  assert.match(original, cmdline);
  const adapted = original.replaceAll('127.0.0.1:9470', new URL(vigil.url).host).replace(cmdline, `$1pid_file: ${pidFile}`);
  await writeFile(vigil.configFile, adapted);
  assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
  const text = await waitForMetrics(vigil, (m) => m.includes('project_up{project="vigil"}'));
  assert.match(text, /^project_up\{project="vigil"\} 1$/m);
  assert.match(text, /^project_http_status_code\{project="vigil"\} 200$/m);
  assert.match(text, /^project_processes\{project="vigil"\} 1$/m);
});

test('process checks read the procfs that host.procfs names, following it on reload; /proc without the host part', async (t) => {
  const { mkdir, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { hostPart } = await import('../../../exporters/host/part');
  // A container-style procfs with one process that does not exist on this machine.
  const procfs = await mkdtemp(join(tmpdir(), 'vigil-procfs-'));
  t.after(() => rm(procfs, { recursive: true, force: true }));
  await mkdir(join(procfs, 'a', '4242'), { recursive: true });
  await mkdir(join(procfs, 'empty'));
  const pid = join(procfs, 'a', '4242');
  await writeFile(join(pid, 'stat'), '4242 (fakedaemon-x) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 1 0 100 1000000 300 18446744073709551615\n');
  await writeFile(join(pid, 'cmdline'), 'fakedaemon-x\0--serve\0');
  await writeFile(join(pid, 'status'), 'Name:\tfakedaemon-x\nVmRSS:\t    1024 kB\n');
  const projects = (labels: string): string => `projects:\n  interval: 1m\n  targets:\n    - {name: d, labels: {${labels}}, checks: [{type: process, process_name: fakedaemon-x}]}\n`;
  const host = (root: string): string => `host: {procfs: ${join(procfs, root)}, collectors: [loadavg]}\n`;
  const vigil = await startVigil(host('a') + projects('v: "1"'), { parts: [hostPart, projectsPart] });
  t.after(() => vigil.stop());
  const text = await waitForMetrics(vigil, (m) => m.includes('project_processes{project="d"}'));
  assert.match(text, /^project_processes\{project="d"\} 1$/m);
  assert.match(text, /^project_process_cpu_seconds_total\{project="d"\} 4$/m, '(250 + 150) ticks of USER_HZ 100');
  assert.match(text, /^project_process_resident_memory_bytes\{project="d"\} 1048576$/m);

  // host.procfs moves: the project (changed, so it runs again) reads the new root.
  await writeFile(vigil.configFile, host('empty') + projects('v: "2"'));
  assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
  const after = await waitForMetrics(vigil, (m) => /^project_processes\{project="d"\} 0$/m.test(m));
  assert.match(after, /^project_up\{project="d"\} 0$/m);

  // Without the host part, /proc: this machine has no fakedaemon-x either.
  const alone = await startVigil(projects('v: "1"'), { parts: [projectsPart] });
  t.after(() => alone.stop());
  assert.match(await waitForMetrics(alone, (m) => m.includes('project_processes{project="d"}')), /^project_processes\{project="d"\} 0$/m);
});
