import { test } from 'node:test';
import assert from 'node:assert/strict';
import { every } from '../../../core/scheduler';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectsConfigSchema, type ProjectsConfig } from '../../../exporters/projects/config';
import { createProjectsExporter } from '../../../exporters/projects/exporter';
import { capturingLogger } from './capture';
import { closedPort, httpServer, httpsServer, silentServer } from './servers';

function config(raw: Record<string, unknown>): ProjectsConfig {
  return projectsConfigSchema.parse(raw);
}

/** The value of one sample in exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{${want}}`)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** `promtool check metrics` must find nothing to say about the text. */
function assertPromtoolClean(text: string): void {
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(promtool.error, undefined, 'promtool must be installed (apt-get install prometheus)');
  assert.equal(`${promtool.stdout}${promtool.stderr}`, '');
  assert.equal(promtool.status, 0);
}

function statusEvents(records: Record<string, unknown>[]): unknown[] {
  return records.filter((r) => (r.event as { action?: string } | undefined)?.action === 'project-status-changed').map((r) => r.project);
}

/** The real scheduler, recording which intervals have a live schedule. */
function recordingScheduler(): { every: typeof every; live: () => number[] } {
  const live: number[] = [];
  return {
    every(ms, run, opts) {
      const schedule = every(ms, run, opts);
      live.push(ms);
      return {
        stop() {
          live.splice(live.indexOf(ms), 1);
          schedule.stop();
        },
      };
    },
    live: () => [...live].sort((a, b) => a - b),
  };
}

test('flap damping: down only after `retries` failed runs, every change logged as an ECS event', async (t) => {
  let status = 200;
  const srv = await httpServer((_req, res) => {
    res.statusCode = status;
    res.end();
  });
  t.after(() => srv.close());
  const { logger, records } = capturingLogger();
  const exporter = createProjectsExporter({
    logger,
    config: config({ targets: [{ name: 'shop', retries: 2, labels: { team: 'web' }, checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/` }] }] }),
  });
  t.after(() => exporter.stop());

  const before = exporter.metrics();
  assert.equal(sample(before, 'project_info', { project: 'shop', team: 'web' }), 1);
  assert.doesNotMatch(before, /^project_up/m, 'nothing about up-ness before the first run');
  assert.doesNotMatch(before, /^project_state_changes_total/m);

  await exporter.runAll();
  assert.equal(exporter.status('shop')?.status, 'up');
  assert.deepEqual(statusEvents(records), [{ name: 'shop', from: 'unknown', to: 'up', reason: 'all checks passed' }]);
  const first = records.find((r) => (r.event as { action?: string }).action === 'project-status-changed');
  assert.deepEqual(first?.event, { action: 'project-status-changed', dataset: 'vigil.projects' });
  assert.equal(first?.message, 'project status changed');
  assert.equal(first?.['log.level'], 'info');
  let text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'shop' }), 1);
  assert.equal(sample(text, 'project_http_status_code', { project: 'shop' }), 200);
  assert.equal(sample(text, 'project_state_changes_total', { project: 'shop' }), 0);

  status = 500;
  await exporter.runAll();
  text = exporter.metrics();
  assert.equal(exporter.status('shop')?.status, 'up', 'one failure of two allowed');
  assert.equal(sample(text, 'project_up', { project: 'shop' }), 1);
  assert.equal(sample(text, 'project_check_success', { project: 'shop', check: 'http' }), 0);
  assert.equal(sample(text, 'project_http_status_code', { project: 'shop' }), 500);
  assert.equal(statusEvents(records).length, 1);

  await exporter.runAll();
  text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'shop' }), 0);
  assert.equal(sample(text, 'project_state_changes_total', { project: 'shop' }), 1);
  assert.deepEqual(statusEvents(records)[1], { name: 'shop', from: 'up', to: 'down', reason: 'http: status code 500 is not one of 2xx' });

  status = 200;
  await exporter.runAll();
  text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'shop' }), 1, 'up again on the first success');
  assert.equal(sample(text, 'project_state_changes_total', { project: 'shop' }), 2);
  assert.deepEqual(statusEvents(records)[2], { name: 'shop', from: 'down', to: 'up', reason: 'all checks passed' });
  assert.equal(statusEvents(records).length, 3);
});

test('a project with a failing first run stays unknown until its retries are used up', async (t) => {
  const port = await closedPort();
  const { logger, records } = capturingLogger();
  const exporter = createProjectsExporter({ logger, config: config({ targets: [{ name: 'db', retries: 2, checks: [{ type: 'tcp', address: `127.0.0.1:${port}` }] }] }) });
  t.after(() => exporter.stop());
  await exporter.runAll();
  let text = exporter.metrics();
  assert.equal(sample(text, 'project_check_success', { project: 'db', check: 'tcp' }), 0);
  assert.equal(sample(text, 'project_up', { project: 'db' }), undefined);
  assert.deepEqual(statusEvents(records), []);
  await exporter.runAll();
  text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'db' }), 0);
  assert.equal(sample(text, 'project_state_changes_total', { project: 'db' }), 0, 'unknown to down is not a change of up-ness');
  assert.deepEqual(statusEvents(records), [{ name: 'db', from: 'unknown', to: 'down', reason: 'tcp: connection refused' }]);
});

test('a hanging target costs its timeout and fails with a timeout reason', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const exporter = createProjectsExporter({
    logger,
    config: config({ targets: [{ name: 'slow', checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/`, timeout: '200ms' }] }] }),
  });
  t.after(() => exporter.stop());
  await exporter.runAll();
  const r = exporter.status('slow')?.results.get('http');
  assert.equal(r?.success, false);
  assert.equal(r?.reason, 'timed out after 0.2s');
  assert.equal(exporter.status('slow')?.status, 'down');
});

test('reload: unchanged projects keep their state, changed ones take effect, removed ones disappear', async (t) => {
  let status = 500;
  const srv = await httpServer((_req, res) => {
    res.statusCode = status;
    res.end();
  });
  t.after(() => srv.close());
  const url = `http://127.0.0.1:${srv.port}/`;
  const tcp = await silentServer();
  t.after(() => tcp.close());
  const { logger, records } = capturingLogger();
  const a = { name: 'a', labels: { team: 'web' }, checks: [{ type: 'http', url }] };
  const b = { name: 'b', checks: [{ type: 'tcp', address: `127.0.0.1:${tcp.port}` }] };
  const exporter = createProjectsExporter({ logger, config: config({ targets: [a, b] }) });
  t.after(() => exporter.stop());
  await exporter.runAll();
  assert.equal(exporter.status('a')?.status, 'down');
  assert.equal(exporter.status('b')?.status, 'up');
  assert.equal(statusEvents(records).length, 2);
  let text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'b' }), 1);

  // a changes only its labels: state kept; b is removed; c is new.
  status = 200;
  const c = { name: 'c', checks: [{ type: 'tcp', address: `127.0.0.1:${tcp.port}` }] };
  exporter.reload(config({ targets: [{ ...a, labels: { team: 'shop' } }, c] }));
  text = exporter.metrics();
  assert.equal(exporter.status('a')?.status, 'down', 'state kept across the reload');
  assert.equal(sample(text, 'project_up', { project: 'a' }), 0);
  assert.equal(sample(text, 'project_info', { project: 'a', team: 'shop' }), 1);
  assert.equal(sample(text, 'project_info', { project: 'a', team: 'web' }), undefined);
  assert.doesNotMatch(text, /project="b"/, 'every series of the removed project is gone');
  assert.equal(exporter.status('b'), undefined);
  assert.equal(sample(text, 'project_info', { project: 'c' }), 1);
  assert.equal(sample(text, 'project_up', { project: 'c' }), undefined);
  assert.equal(statusEvents(records).length, 2, 'a reload alone changes no state');

  // The same configuration again changes nothing at all.
  exporter.reload(config({ targets: [{ ...a, labels: { team: 'shop' } }, c] }));
  assert.equal(exporter.metrics(), text);

  await exporter.runAll();
  text = exporter.metrics();
  assert.equal(sample(text, 'project_up', { project: 'a' }), 1);
  assert.equal(sample(text, 'project_up', { project: 'c' }), 1);
  assert.equal(sample(text, 'project_state_changes_total', { project: 'a' }), 1);
  const byName = (x: unknown, y: unknown): number => String((x as { name: string }).name).localeCompare((y as { name: string }).name);
  assert.deepEqual(statusEvents(records).slice(2).sort(byName), [
    { name: 'a', from: 'down', to: 'up', reason: 'all checks passed' },
    { name: 'c', from: 'unknown', to: 'up', reason: 'all checks passed' },
  ]);
});

test('reload: a changed or removed project has its running checks cancelled and their results dropped', { timeout: 10_000 }, async (t) => {
  const hold: (() => void)[] = [];
  let cancelled = 0;
  const srv = await httpServer((req, res) => {
    if (req.url === '/slow') {
      hold.push(() => res.end());
      res.once('close', () => {
        if (!res.writableEnded) cancelled++;
      });
    } else res.end();
  });
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const base = `http://127.0.0.1:${srv.port}`;
  const exporter = createProjectsExporter({ logger, config: config({ targets: [{ name: 'a', checks: [{ type: 'http', url: `${base}/slow` }] }] }) });
  t.after(() => exporter.stop());
  const stale = exporter.runAll();
  while (hold.length === 0) await new Promise((r) => setTimeout(r, 5));
  exporter.reload(config({ targets: [{ name: 'a', checks: [{ type: 'tcp', name: 'port', address: `127.0.0.1:${srv.port}` }] }] }));
  await stale; // returns because the old run was cancelled: the server never answered it
  while (cancelled < 1) await new Promise((r) => setTimeout(r, 5));
  assert.equal(exporter.status('a')?.results.size, 0, 'the old http result was not applied');
  assert.doesNotMatch(exporter.metrics(), /check="http"/);
  await exporter.runAll();
  assert.equal(exporter.status('a')?.results.get('port')?.success, true);
  assert.match(exporter.metrics(), /project_check_success\{project="a",check="port"\} 1/);

  exporter.reload(config({ targets: [{ name: 'b', checks: [{ type: 'http', url: `${base}/slow` }] }] }));
  const removed = exporter.runAll();
  while (hold.length < 2) await new Promise((r) => setTimeout(r, 5));
  exporter.reload(config({ targets: [] }));
  await removed;
  while (cancelled < 2) await new Promise((r) => setTimeout(r, 5));
  assert.equal(exporter.metrics(), '');
  for (const release of hold) release();
});

test('concurrency: never more checks at once than configured, and every project is checked', async (t) => {
  let active = 0;
  let peak = 0;
  let served = 0;
  const srv = await httpServer((_req, res) => {
    active++;
    peak = Math.max(peak, active);
    setTimeout(() => {
      active--;
      served++;
      res.end();
    }, 20);
  });
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const targets = Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/${i}` }] }));
  const exporter = createProjectsExporter({ logger, config: config({ concurrency: 4, targets }) });
  t.after(() => exporter.stop());
  await exporter.runAll();
  assert.equal(served, 30);
  assert.equal(peak, 4);
  const text = exporter.metrics();
  for (let i = 0; i < 30; i++) assert.equal(sample(text, 'project_up', { project: `p${i}` }), 1);
});

test('stop aborts running checks and no result arrives afterwards', { timeout: 10_000 }, async (t) => {
  let connected!: () => void;
  const connection = new Promise<void>((resolve) => (connected = resolve));
  const srv = await silentServer(() => connected());
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const exporter = createProjectsExporter({ logger, config: config({ targets: [{ name: 'hang', checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/`, timeout: '60s' }] }] }) });
  const run = exporter.runAll();
  await connection; // the check is under way, waiting on a target that never answers
  await exporter.stop();
  await run;
  assert.equal(exporter.status('hang')?.status, 'unknown');
  assert.doesNotMatch(exporter.metrics(), /^project_check_success/m);
});

test('the rendered families pass promtool check metrics, one HELP/TYPE per family', async (t) => {
  const ok = await httpServer((_req, res) => res.end('ok'));
  const failing = await httpServer((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  const tls = await httpsServer((_req, res) => res.end('secure'));
  const hang = await silentServer();
  t.after(() => Promise.all([ok, failing, tls, hang].map((s) => s.close())));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-promtool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'self.pid'), String(process.pid));
  const { logger } = capturingLogger();
  const exporter = createProjectsExporter({
    logger,
    config: config({
      targets: [
        { name: 'ok', labels: { team: 'web', environment: 'prod', url: 'https://shop.example.com/?q="x"' }, checks: [{ type: 'http', url: `http://127.0.0.1:${ok.port}/` }] },
        { name: 'failing', checks: [{ type: 'http', url: `http://127.0.0.1:${failing.port}/` }] },
        { name: 'tls', labels: { team: 'ops' }, checks: [{ type: 'http', url: `https://127.0.0.1:${tls.port}/`, tls_verify: false }] },
        { name: 'hang', checks: [{ type: 'http', url: `http://127.0.0.1:${hang.port}/`, timeout: '100ms' }] },
        { name: 'mixed', checks: [{ type: 'tcp', address: `127.0.0.1:${ok.port}` }, { type: 'process', pid_file: join(dir, 'self.pid') }] },
      ],
    }),
  });
  t.after(() => exporter.stop());
  await exporter.runAll();
  const text = exporter.metrics();
  for (const family of ['project_info', 'project_up', 'project_check_success', 'project_check_duration_seconds', 'project_http_status_code', 'project_http_phase_duration_seconds', 'project_tls_cert_expiry_timestamp_seconds', 'project_process_cpu_seconds_total', 'project_process_resident_memory_bytes', 'project_processes', 'project_last_check_timestamp_seconds', 'project_state_changes_total']) {
    assert.equal(text.split('\n').filter((l) => l === `# TYPE ${family} ${family.endsWith('_total') ? 'counter' : 'gauge'}`).length, 1, family);
  }
  assert.equal(sample(text, 'project_info', { project: 'ok', team: 'web', environment: 'prod', url: 'https://shop.example.com/?q=\\"x\\"' }), 1);
  assert.equal(sample(text, 'project_up', { project: 'hang' }), 0);
  assert.equal(sample(text, 'project_processes', { project: 'mixed' }), 1);
  assert.ok((sample(text, 'project_tls_cert_expiry_timestamp_seconds', { project: 'tls' }) ?? 0) > Date.now() / 1000);
  assertPromtoolClean(text);
});

test('start runs every project at once, then on its schedule; stop ends the schedule', { timeout: 10_000 }, async (t) => {
  let requests = 0;
  let second!: () => void;
  const twice = new Promise<void>((resolve) => (second = resolve));
  const srv = await httpServer((_req, res) => {
    requests++;
    if (requests === 2) second();
    res.end();
  });
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const schedules = recordingScheduler();
  const exporter = createProjectsExporter({ logger, every: schedules.every, config: config({ targets: [{ name: 'tick', interval: '1s', checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/`, timeout: '500ms' }] }] }) });
  exporter.start();
  assert.deepEqual(schedules.live(), [1000]);
  await twice; // the immediate run, then the first scheduled one
  const text = exporter.metrics();
  assert.ok((sample(text, 'vigil_projects_last_cycle_duration_seconds', { interval: '1s' }) ?? -1) >= 0, text);
  assertPromtoolClean(text);
  await exporter.stop();
  assert.deepEqual(schedules.live(), [], 'no schedule left after stop');
  assert.equal(exporter.status('tick')?.status, 'up');
});

test('a project still running when its next run is due is not started twice', async (t) => {
  let requests = 0;
  const hold: (() => void)[] = [];
  const srv = await httpServer((_req, res) => {
    requests++;
    hold.push(() => res.end());
  });
  t.after(() => srv.close());
  const { logger } = capturingLogger();
  const exporter = createProjectsExporter({ logger, config: config({ targets: [{ name: 'slow', checks: [{ type: 'http', url: `http://127.0.0.1:${srv.port}/` }] }] }) });
  t.after(() => exporter.stop());
  const first = exporter.runAll();
  while (hold.length === 0) await new Promise((r) => setTimeout(r, 5));
  await exporter.runAll(); // returns at once: nothing to start
  for (const release of hold) release();
  await first;
  assert.equal(requests, 1);
  assert.equal(exporter.status('slow')?.status, 'up');
});

test('reload reschedules: one timer per distinct interval (any interval), none for intervals no longer used', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const schedules = recordingScheduler();
  const ours = schedules.live;
  const target = (name: string, interval: string): Record<string, unknown> => ({ name, interval, checks: [{ type: 'tcp', address: `127.0.0.1:${srv.port}` }] });
  const { logger } = capturingLogger();
  const exporter = createProjectsExporter({ logger, every: schedules.every, config: config({ targets: [target('a', '1m'), target('b', '1m'), target('c', '5m')] }) });
  t.after(() => exporter.stop());
  exporter.start();
  assert.deepEqual(ours(), [60_000, 300_000]);
  exporter.reload(config({ targets: [target('a', '1m'), target('d', '90s')] }));
  assert.deepEqual(ours(), [60_000, 90_000]);
  await exporter.stop();
  assert.deepEqual(ours(), []);
});

test('secrets in headers and URLs never reach logs or metrics', async (t) => {
  const seen: string[] = [];
  const srv = await httpServer((req, res) => {
    seen.push(`${String(req.headers.authorization)} ${String(req.headers['x-api-key'])}`);
    res.statusCode = 503;
    res.end();
  });
  t.after(() => srv.close());
  const { logger, records } = capturingLogger('debug');
  const exporter = createProjectsExporter({
    logger,
    config: config({
      targets: [
        { name: 'api', checks: [{ type: 'http', url: `http://robot:pa55word@127.0.0.1:${srv.port}/?token=t0ken`, headers: { 'X-Api-Key': 'k3y-s3cret' } }] },
        { name: 'gone', checks: [{ type: 'http', url: `http://robot:pa55word@127.0.0.1:${await closedPort()}/?token=t0ken`, headers: { 'X-Api-Key': 'k3y-s3cret' } }] },
      ],
    }),
  });
  t.after(() => exporter.stop());
  await exporter.runAll();
  assert.deepEqual(seen, [`Basic ${Buffer.from('robot:pa55word').toString('base64')} k3y-s3cret`], 'the secrets were sent');
  assert.equal(statusEvents(records).length, 2);
  const everything = JSON.stringify(records) + exporter.metrics();
  for (const secret of ['pa55word', 't0ken', 'k3y-s3cret', Buffer.from('robot:pa55word').toString('base64')]) {
    assert.ok(!everything.includes(secret), `${secret} leaked`);
  }
});
