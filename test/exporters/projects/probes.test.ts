import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectsConfigSchema, type CheckConfig, type HttpCheck, type ProcessCheck, type TcpCheck } from '../../../exporters/projects/config';
import { probeHttp } from '../../../exporters/projects/probes/http';
import { probeTcp } from '../../../exporters/projects/probes/tcp';
import { createProcessProbe } from '../../../exporters/projects/probes/process';
import { createProcessTable, parseStat, parseStatusRss } from '../../../exporters/projects/process-table';
import { HTTP_PHASES } from '../../../exporters/projects/probes/probe';
import { closedPort, FIXTURES, httpServer, httpsServer, silentServer } from './servers';

/** One check through the real schema, so defaults are the configured ones. */
function check<T extends CheckConfig>(raw: Record<string, unknown>): T {
  const cfg = projectsConfigSchema.parse({ targets: [{ name: 't', checks: [raw] }] });
  return cfg.targets[0]?.checks[0] as T;
}

const never = new AbortController().signal;

test('http: a 200 with the expected body passes and every phase is measured', async (t) => {
  const srv = await httpServer((req, res) => res.end(`hello from ${req.method ?? ''} ${String(req.headers['x-token'])}`));
  t.after(() => srv.close());
  const r = await probeHttp(check<HttpCheck>({ type: 'http', url: `http://127.0.0.1:${srv.port}/`, headers: { 'X-Token': 'abc' }, body_contains: 'GET abc', body_matches: '^hello' }), never);
  assert.equal(r.success, true, r.reason);
  assert.equal(r.reason, '');
  assert.equal(r.http?.statusCode, 200);
  for (const phase of HTTP_PHASES) assert.ok((r.http?.phases[phase] ?? -1) >= 0, phase);
  assert.equal(r.http?.phases.tls, 0);
  assert.equal(r.http?.certExpirySeconds, undefined);
  const sum = HTTP_PHASES.reduce((s, p) => s + (r.http?.phases[p] ?? 0), 0);
  assert.ok(sum <= r.durationSeconds + 1e-6, `phases ${sum} > total ${r.durationSeconds}`);
});

test('http: a 500 fails with its status code; expected_status_codes can accept it', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.statusCode = 500;
    res.end('boom');
  });
  t.after(() => srv.close());
  const url = `http://127.0.0.1:${srv.port}/`;
  const r = await probeHttp(check<HttpCheck>({ type: 'http', url }), never);
  assert.equal(r.success, false);
  assert.equal(r.http?.statusCode, 500);
  assert.equal(r.reason, 'status code 500 is not one of 2xx');
  const accepted = await probeHttp(check<HttpCheck>({ type: 'http', url, expected_status_codes: ['5xx'] }), never);
  assert.equal(accepted.success, true, accepted.reason);
});

test('http: a body mismatch fails, by substring and by regex', async (t) => {
  const srv = await httpServer((_req, res) => res.end('status: degraded'));
  t.after(() => srv.close());
  const url = `http://127.0.0.1:${srv.port}/`;
  const sub = await probeHttp(check<HttpCheck>({ type: 'http', url, body_contains: 'status: ok' }), never);
  assert.equal(sub.success, false);
  assert.equal(sub.reason, 'body does not contain the expected text');
  assert.equal(sub.http?.statusCode, 200);
  const re = await probeHttp(check<HttpCheck>({ type: 'http', url, body_matches: 'ok$' }), never);
  assert.equal(re.success, false);
  assert.equal(re.reason, 'body does not match /ok$/');
});

test('http: a server that never answers is cut off by the signal; a closed port is refused', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const r = await probeHttp(check<HttpCheck>({ type: 'http', url: `http://127.0.0.1:${srv.port}/` }), AbortSignal.timeout(150));
  assert.equal(r.success, false);
  assert.equal(r.reason, 'aborted');
  assert.equal(r.http?.statusCode, 0);
  assert.ok(r.http?.phases.connect !== undefined, 'the connection itself succeeded');
  assert.equal(r.http?.phases.processing, undefined);

  const port = await closedPort();
  const refused = await probeHttp(check<HttpCheck>({ type: 'http', url: `http://127.0.0.1:${port}/` }), never);
  assert.equal(refused.success, false);
  assert.equal(refused.reason, 'connection refused');
  assert.equal(refused.http?.statusCode, 0);
});

test('http: a response cut off before its end fails', async (t) => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('only part of it', () => res.destroy());
  });
  t.after(() => srv.close());
  const r = await probeHttp(check<HttpCheck>({ type: 'http', url: `http://127.0.0.1:${srv.port}/` }), never);
  assert.equal(r.success, false);
  assert.equal(r.http?.statusCode, 200);
  assert.equal(r.reason, 'connection reset by peer');
});

test('https: a self-signed certificate fails with tls_verify, passes without, and its expiry is reported', async (t) => {
  const srv = await httpsServer((_req, res) => res.end('secure'));
  t.after(() => srv.close());
  const url = `https://127.0.0.1:${srv.port}/`;
  const verified = await probeHttp(check<HttpCheck>({ type: 'http', url }), never);
  assert.equal(verified.success, false);
  assert.equal(verified.reason, 'TLS: self-signed certificate');

  const r = await probeHttp(check<HttpCheck>({ type: 'http', url, tls_verify: false, body_contains: 'secure' }), never);
  assert.equal(r.success, true, r.reason);
  const notAfter = Date.parse(new X509Certificate(await readFile(join(FIXTURES, 'cert.pem'))).validTo) / 1000;
  assert.ok(Number.isFinite(notAfter));
  assert.equal(r.http?.certExpirySeconds, notAfter);
  assert.ok((r.http?.phases.tls ?? 0) > 0, 'the TLS handshake takes time');
});

test('tcp: an open port passes, a closed port is refused', async (t) => {
  const srv = await silentServer();
  t.after(() => srv.close());
  const open = await probeTcp(check<TcpCheck>({ type: 'tcp', address: `127.0.0.1:${srv.port}` }), never);
  assert.equal(open.success, true, open.reason);
  const port = await closedPort();
  const closed = await probeTcp(check<TcpCheck>({ type: 'tcp', address: `127.0.0.1:${port}` }), never);
  assert.equal(closed.success, false);
  assert.equal(closed.reason, 'connection refused');
});

test('process: this test process found through its pid file, with its CPU time and resident memory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-proc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'test.pid');
  await writeFile(pidFile, `${process.pid}\n`);
  const probe = createProcessProbe({ table: createProcessTable(), listMaxAgeMs: () => 1000 });
  const before = process.cpuUsage();
  const r = await probe(check<ProcessCheck>({ type: 'process', pid_file: pidFile }), never);
  const after = process.cpuUsage();
  assert.equal(r.success, true, r.reason);
  assert.equal(r.process?.count, 1);
  const cpu = r.process?.cpuSeconds ?? -1;
  assert.ok(cpu > 0 && cpu <= (after.user + after.system) / 1e6 + 0.02, `cpu ${cpu} vs ${(before.user + before.system) / 1e6}..${(after.user + after.system) / 1e6}`);
  const rss = r.process?.residentBytes ?? 0;
  const own = process.memoryUsage().rss;
  assert.ok(rss > own / 2 && rss < own * 2, `rss ${rss} vs process.memoryUsage().rss ${own}`);

  await writeFile(pidFile, '999999999\n');
  const gone = await probe(check<ProcessCheck>({ type: 'process', pid_file: pidFile }), never);
  assert.equal(gone.success, false);
  assert.equal(gone.reason, `process 999999999 from ${pidFile} is not running`);
  assert.equal(gone.process?.count, 0);
  const missing = await probe(check<ProcessCheck>({ type: 'process', pid_file: join(dir, 'absent.pid') }), never);
  assert.equal(missing.reason, `cannot read pid file ${join(dir, 'absent.pid')} (ENOENT)`);
});

test('process: command-line regex and name count every matching process', async (t) => {
  const marker = `vigil-marker-${process.pid}-${Date.now()}`;
  const children = [0, 1].map(() => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', marker], { stdio: 'ignore' }));
  t.after(() => {
    for (const c of children) c.kill();
  });
  await Promise.all(children.map((c) => new Promise((resolve) => c.once('spawn', resolve))));
  const probe = createProcessProbe({ table: createProcessTable(), listMaxAgeMs: () => 0 });
  const r = await probe(check<ProcessCheck>({ type: 'process', cmdline: `-e .* ${marker}$` }), never);
  assert.equal(r.success, true, r.reason);
  assert.equal(r.process?.count, 2);
  assert.ok((r.process?.residentBytes ?? 0) > 0);

  const comm = (await readFile(`/proc/${process.pid}/comm`, 'utf8')).trim();
  const byName = await probe(check<ProcessCheck>({ type: 'process', process_name: comm }), never);
  assert.ok((byName.process?.count ?? 0) >= 3, `at least this process and its two children are named ${comm}`);

  const none = await probe(check<ProcessCheck>({ type: 'process', cmdline: `${marker}-absent` }), never);
  assert.equal(none.success, false);
  assert.equal(none.reason, `no process command line matches /${marker}-absent/`);
});

test('procfs parsing: a command with spaces and parentheses, and VmRSS', () => {
  const stat = '4242 (my (weird) cmd) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 1 0 100 1000000 300 18446744073709551615';
  assert.deepEqual(parseStat(stat), { comm: 'my (weird) cmd', cpuSeconds: 4 });
  assert.equal(parseStat('garbage'), undefined);
  assert.equal(parseStatusRss('Name:\tx\nVmRSS:\t   2048 kB\nThreads:\t1\n'), 2048 * 1024);
  assert.equal(parseStatusRss('Name:\tkthreadd\n'), 0);
});
