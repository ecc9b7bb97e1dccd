/**
 * Issue 3 end to end: Vigil checks real local HTTP, HTTPS and TCP servers, promtool finds nothing
 * wrong in /metrics, a real Prometheus scrapes Vigil and sees the project states, and stopping a
 * target flips its project_up after the configured retries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports';
import { startPrometheus } from '../helpers/prometheus';
import { promtoolFindings } from '../helpers/promtool';
import { startVigil } from '../helpers/vigil';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function selfSignedCert(dir: string): Promise<{ key: Buffer; cert: Buffer; notAfter: number }> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const end = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', cert]).toString().trim().replace('notAfter=', '');
  return { key: await readFile(key), cert: await readFile(cert), notAfter: Date.parse(end) / 1000 };
}

test('Vigil checks local targets, passes promtool, and a real Prometheus sees it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
  const tls = await selfSignedCert(dir);
  const healthy = createHttpServer((_req, res) => res.end('all good'));
  const failing = createHttpServer((_req, res) => {
    res.statusCode = 500;
    res.end('boom');
  });
  const hanging = createHttpServer(() => undefined);
  const secure = createHttpsServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('secure'));
  const [healthyPort, failingPort, hangingPort, securePort, closedPort] = [
    await listen(healthy),
    await listen(failing),
    await listen(hanging),
    await listen(secure),
    await freePort(),
  ];
  const vigil = await startVigil(`
host: {enabled: true}
deployments: {enabled: false}
shipper: {enabled: false}
projects:
  interval: 1s
  targets:
    - name: healthy
      retries: 2
      labels: { team: web, environment: production }
      checks:
        - { type: http, url: "http://127.0.0.1:${healthyPort}/", body_contains: good, timeout: 900ms }
        - { type: tcp, address: "127.0.0.1:${healthyPort}", timeout: 900ms }
    - name: failing
      checks: [{ type: http, url: "http://127.0.0.1:${failingPort}/", timeout: 900ms }]
    - name: hanging
      checks: [{ type: http, url: "http://127.0.0.1:${hangingPort}/", timeout: 500ms }]
    - name: closed
      checks: [{ type: tcp, address: "127.0.0.1:${closedPort}", timeout: 500ms }]
    - name: self-signed
      checks: [{ type: http, url: "https://127.0.0.1:${securePort}/", tls_verify: false, timeout: 900ms }]
    - name: self-signed-verified
      checks: [{ type: http, url: "https://127.0.0.1:${securePort}/", timeout: 900ms }]
`);
  const prometheus = await startPrometheus({ targets: [new URL(vigil.url).host] });
  try {
    const expected: Record<string, string> = {
      healthy: '1',
      failing: '0',
      hanging: '0',
      closed: '0',
      'self-signed': '1',
      'self-signed-verified': '0',
    };
    const states = (r: { metric: Record<string, string>; value: [number, string] }[]): Record<string, string> =>
      Object.fromEntries(r.map((s) => [s.metric.project as string, s.value[1]]));
    await prometheus.waitFor('up{job="vigil"}', (r) => r[0]?.value[1] === '1');
    const ups = await prometheus.waitFor('project_up', (r) => r.length === 6 && Object.entries(expected).every(([p, v]) => states(r)[p] === v));
    assert.deepEqual(states(ups), expected);

    const status = await prometheus.query('project_http_status_code');
    assert.equal(status.find((s) => s.metric.project === 'failing')?.value[1], '500');
    assert.equal(status.find((s) => s.metric.project === 'healthy')?.value[1], '200');
    const expiry = await prometheus.query('project_tls_cert_expiry_timestamp_seconds{project="self-signed"}');
    assert.equal(Number(expiry[0]?.value[1]), tls.notAfter);
    const info = await prometheus.query('project_info{project="healthy"}');
    assert.equal(info[0]?.metric.team, 'web');
    assert.equal(info[0]?.metric.environment, 'production');
    const cpu = await prometheus.query('count(node_cpu_seconds_total{mode="idle"})');
    assert.ok(Number(cpu[0]?.value[1]) >= 1, 'host metrics are scraped too');
    const collectors = await prometheus.query('min(vigil_collector_success)');
    assert.equal(collectors[0]?.value[1], '1');

    const lint = await promtoolFindings(await (await fetch(`${vigil.url}/metrics`)).text());
    assert.deepEqual(lint.findings, []);
    assert.ok(lint.code === 0 || lint.code === 3, `promtool exit code ${String(lint.code)}`);

    // Flap damping, read from Vigil itself: the first failed run (retries: 2) leaves the project up.
    await close(healthy);
    let firstFailure = '';
    for (let i = 0; i < 200 && !firstFailure; i++) {
      const text = await (await fetch(`${vigil.url}/metrics`)).text();
      if (/^project_check_success\{project="healthy",check="http"\} 0$/m.test(text)) firstFailure = text;
      else await new Promise((r) => setTimeout(r, 25));
    }
    assert.match(firstFailure, /^project_up\{project="healthy"\} 1$/m, 'one failed run must not take the project down');
    await prometheus.waitFor('project_up{project="healthy"}', (r) => r[0]?.value[1] === '0', 20_000);
    const changes = await prometheus.query('project_state_changes_total{project="healthy"}');
    assert.ok(Number(changes[0]?.value[1]) >= 1);
  } finally {
    await prometheus.stop();
    await vigil.stop();
    await Promise.all([close(failing), close(hanging), close(secure)]);
    if (healthy.listening) await close(healthy);
    await rm(dir, { recursive: true, force: true });
  }
});
