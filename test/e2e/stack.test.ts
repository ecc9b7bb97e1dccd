/**
 * The stack end to end, with the repo's own rule files, routes and receivers, started by the same
 * launcher as `npm run stack`: a project that goes down makes ProjectDown fire in the real
 * Alertmanager (API v2), routed to email and the DingTalk relay target, whose webhook receives it;
 * when the project comes back the alert resolves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchStack } from '../../scripts/stack';
import { startVigil } from '../helpers/vigil';
import type { AmAlert } from '../helpers/alertmanager';
import { SAMPLE_ENV } from '../alertmanager/env';

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}
function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

interface Webhook {
  path: string;
  auth: string | undefined;
  body: { status: string; receiver: string; alerts: { status: string; labels: Record<string, string> }[] };
}

test('a project going down fires ProjectDown in the real Alertmanager, routed to its receivers, and resolves', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-'));
  const project = createServer((_req, res) => res.end('ok'));
  const projectPort = await listen(project);
  // stands in for Vigil's relay: records the webhooks Alertmanager sends
  const webhooks: Webhook[] = [];
  const relay = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      webhooks.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(body) as Webhook['body'] });
      res.end();
    });
  });
  const relayPort = await listen(relay);
  const vigil = await startVigil(`
host: {enabled: false}
deployments: {enabled: false}
shipper: {enabled: false}
projects:
  interval: 1s
  targets:
    - name: web
      retries: 1
      labels: {team: ops}
      checks: [{type: http, url: "http://127.0.0.1:${projectPort}/", timeout: 500ms}]
`);
  const stack = await launchStack({
    dataDir: join(dir, 'stack'),
    vigil: new URL(vigil.url).host,
    host: 'mon-1',
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    env: { ...SAMPLE_ENV, VIGIL_RELAY_URL: `http://127.0.0.1:${relayPort}`, VIGIL_RELAY_TOKEN: 'relay-token' },
  });
  const ours = (a: AmAlert): boolean => a.labels.alertname === 'ProjectDown';
  try {
    const query = async (expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const body = (await (await fetch(`${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: [] } };
      return body.data.result;
    };
    for (let i = 0; (await query('project:project_up:max{project="web"} == 1')).length === 0; i++) {
      assert.ok(i < 120, `Prometheus never saw the project up:\n${stack.prometheusLogs()}`);
      await sleep(500);
    }
    assert.deepEqual((await stack.alertmanager.alerts()).filter(ours), [], 'no ProjectDown while it is up');

    await close(project);
    // `for: 1m` in the repo's rule, then Prometheus sends it
    const [firing] = await stack.alertmanager.waitForAlerts((a) => a.some(ours), 150_000).then((a) => a.filter(ours));
    assert.ok(firing);
    assert.deepEqual(firing.labels, { alertname: 'ProjectDown', project: 'web', host: 'mon-1', severity: 'critical' });
    assert.deepEqual(firing.annotations, {
      summary: 'Project web is down',
      description: 'Project web on mon-1 fails its checks (project_up is 0 after its retries); project_check_success says which check.',
      dashboard_url: 'http://localhost:3000/d/vigil-projects?var-project=web',
    });
    assert.deepEqual(firing.receivers.map((r) => r.name).sort(), ['ops-dingtalk', 'ops-email']);
    assert.equal(firing.status.state, 'active');

    // group_wait (30 s) later the relay target `ops` receives it
    for (let i = 0; !webhooks.some((w) => w.body.status === 'firing'); i++) {
      assert.ok(i < 120, `no webhook after 60 s:\n${stack.alertmanager.logs()}`);
      await sleep(500);
    }
    const hook = webhooks.find((w) => w.body.status === 'firing') as Webhook;
    assert.equal(hook.path, '/alerts/ops');
    assert.equal(hook.auth, 'Bearer relay-token');
    assert.equal(hook.body.receiver, 'ops-dingtalk');
    assert.deepEqual(hook.body.alerts.map((a) => [a.status, a.labels.alertname, a.labels.project]), [['firing', 'ProjectDown', 'web']]);

    // back up: Prometheus resolves it and Alertmanager no longer lists it
    const again = createServer((_req, res) => res.end('ok'));
    await listen(again, projectPort);
    try {
      await stack.alertmanager.waitForAlerts((a) => !a.some(ours), 60_000);
    } finally {
      await close(again);
    }
  } finally {
    await stack.stop();
    await vigil.stop();
    await close(relay);
    await rm(dir, { recursive: true, force: true });
  }
});
