import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { renderAlertmanagerConfig } from '../../scripts/stack-config';
import { startAlertmanager } from '../helpers/alertmanager';
import { startPrometheus } from '../helpers/prometheus';
import { startVigil, type RunningVigil } from '../helpers/vigil';
import { relayOnlyYaml } from './fixtures';
import { startRobotStub, type RobotStub } from './robot-stub';

const SECRET = 'SECe2e-robot-secret';
const TOKEN = 'relay-e2e-token';

interface Mail {
  readonly raw: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The body of each text part of a MIME message by content type, quoted-printable decoded. */
function mimeParts(raw: string): Map<string, string> {
  const parts = new Map<string, string>();
  const boundary = /boundary="?([^"\s;]+)"?/i.exec(raw)?.[1];
  assert.ok(boundary, 'a multipart message');
  for (const chunk of raw.split(`--${boundary}`)) {
    const part = chunk.replace(/^\r?\n/, '');
    const blank = part.search(/\r?\n\r?\n/);
    if (blank === -1) continue;
    const headers = part.slice(0, blank);
    const type = /^Content-Type: (text\/(?:plain|html))/im.exec(headers);
    if (!type) continue;
    let body = part.slice(blank).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '');
    if (/^Content-Transfer-Encoding: quoted-printable/im.test(headers)) {
      body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
      body = Buffer.from(body, 'latin1').toString('utf8');
    }
    parts.set((type[1] as string).toLowerCase(), body);
  }
  return parts;
}

/** The decoded Subject header (RFC 2047 encoded words, as Alertmanager writes non-ASCII ones). */
function subject(raw: string): string {
  const m = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw);
  const header = (m?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ');
  return header
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_x, enc: string, text: string) =>
      enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_y, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
    .trim();
}

function relayYaml(robot: RobotStub): string {
  return relayOnlyYaml(`  language: en
  time_zone: Asia/Shanghai
  targets:
    ops:
      type: dingtalk
      url: ${robot.url}
      secret: \${DINGTALK_SECRET}
      keyword: Vigil
`);
}

/**
 * The repository's alertmanager/alertmanager.yml rendered by its own render.sh with local addresses
 * (relay, SMTP server), with the test's short group_wait and group_interval.
 */
async function alertmanagerConfig(dir: string, vigil: RunningVigil, smtpPort: number): Promise<string> {
  const file = join(dir, 'alertmanager.yml');
  await renderAlertmanagerConfig(
    {
      SMTP_SMARTHOST: `127.0.0.1:${smtpPort}`,
      SMTP_FROM: 'vigil@example.com',
      ALERT_EMAIL_TO: 'ops@example.com',
      SMTP_REQUIRE_TLS: 'false',
      VIGIL_RELAY_URL: vigil.url,
      VIGIL_RELAY_TOKEN: TOKEN,
    },
    file,
  );
  const text = await readFile(file, 'utf8');
  const fast = text.replace(/^(\s+)group_wait: 30s$/m, '$1group_wait: 1s').replace(/^(\s+)group_interval: 5m$/m, '$1group_interval: 1s');
  assert.notEqual(fast, text, 'the root route has group_wait 30s and group_interval 5m to shorten');
  return fast;
}

const RULE_FIRING = `groups:
  - name: relay-e2e
    rules:
      - alert: RelayEndToEnd
        expr: vector(1)
        labels: { severity: critical, project: shop }
        annotations:
          summary: The shop is on fire
          description: Checkout answers 500 for every request.
          dashboard_url: https://grafana.example/d/vigil-projects?var-project=shop
          runbook_url: https://runbooks.example/RelayEndToEnd
`;
const RULE_QUIET = RULE_FIRING.replace('expr: vector(1)', 'expr: vector(1) == 0');

test('end to end: Prometheus rule -> Alertmanager -> relay -> signed DingTalk stand-in, and e-mail with HTML and text parts; firing then resolved', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-e2e-'));
  const robot = await startRobotStub(SECRET);
  const smtp = await startSmtp();
  const vigil = await startVigil(relayYaml(robot), { env: { DINGTALK_SECRET: SECRET, VIGIL_RELAY_TOKEN: TOKEN } });
  const am = await startAlertmanager({ config: await alertmanagerConfig(dir, vigil, smtp.port), env: { ...process.env, TZ: 'UTC' } });
  const ruleFile = join(dir, 'rules.yml');
  await writeFile(ruleFile, RULE_FIRING);
  const prom = await startPrometheus({ targets: [new URL(vigil.url).host], ruleFiles: [ruleFile], alertmanagerUrl: am.url });
  try {
    await robot.waitFor((m) => m.some((x) => x.text.includes('FIRING')), 90_000);
    const firing = robot.messages.find((x) => x.text.includes('FIRING'));
    assert.equal(robot.badSignatures, 0, 'every request was signed correctly');
    assert.match(firing?.body.markdown?.title ?? '', /^\[FIRING:1\] RelayEndToEnd Vigil$/);
    for (const part of [
      '🔥 FIRING: RelayEndToEnd',
      '**Severity:** critical',
      '**project:** shop',
      '**Summary:** The shop is on fire',
      '**Description:** Checkout answers 500 for every request.',
      '(UTC+08:00)',
      '[Dashboard](https://grafana.example/d/vigil-projects?var-project=shop)',
      '[Runbook](https://runbooks.example/RelayEndToEnd)',
      `[Silence](${am.url}/#/silences/new?filter=`,
    ]) {
      assert.ok(firing?.text.includes(part), `missing ${part} in\n${firing?.text}`);
    }

    await writeFile(ruleFile, RULE_QUIET);
    assert.equal((await fetch(`${prom.url}/-/reload`, { method: 'POST' })).status, 200);
    await robot.waitFor((m) => m.some((x) => x.text.includes('RESOLVED')), 90_000);
    const resolved = robot.messages.find((x) => x.text.includes('RESOLVED'));
    assert.match(resolved?.text ?? '', /✅ RESOLVED: RelayEndToEnd/);
    assert.match(resolved?.text ?? '', /\*\*Resolved:\*\* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+08:00\)/);
    assert.ok(robot.messages.indexOf(firing as never) < robot.messages.indexOf(resolved as never), 'firing before resolved');

    const deadline = Date.now() + 60_000;
    while (smtp.mails.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(smtp.mails.length >= 2, `${smtp.mails.length} e-mails`);
    const [first, last] = [smtp.mails[0] as Mail, smtp.mails[smtp.mails.length - 1] as Mail];
    assert.match(subject(first.raw), /^\[告警 FIRING:1\] RelayEndToEnd shop \(critical\)$/);
    assert.match(subject(last.raw), /^\[恢复 RESOLVED\] RelayEndToEnd shop \(critical\)$/);
    const parts = mimeParts(first.raw);
    assert.match(parts.get('text/plain') ?? '', /摘要 Summary: The shop is on fire/);
    assert.match(parts.get('text/plain') ?? '', /手册 Runbook: https:\/\/runbooks\.example\/RelayEndToEnd/);
    assert.match(parts.get('text/html') ?? '', /告警 Firing: The shop is on fire/);
    assert.match(parts.get('text/html') ?? '', /href="https:\/\/runbooks\.example\/RelayEndToEnd"/);
    const ended = mimeParts(last.raw);
    assert.match(ended.get('text/plain') ?? '', /已恢复 Resolved: RelayEndToEnd/);
    assert.match(ended.get('text/html') ?? '', /结束 Ended/);
  } finally {
    await prom.stop();
    await am.stop();
    await vigil.stop();
    await smtp.close();
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('end to end: two Alertmanagers clustered on loopback deliver one alert to the robot once', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-e2e-'));
  const robot = await startRobotStub(SECRET);
  const smtp = await startSmtp();
  const vigil = await startVigil(relayYaml(robot), { env: { DINGTALK_SECRET: SECRET, VIGIL_RELAY_TOKEN: TOKEN } });
  const config = await alertmanagerConfig(dir, vigil, smtp.port);
  const gossip = ['--cluster.gossip-interval=100ms', '--cluster.pushpull-interval=1s', '--cluster.peer-timeout=3s', '--cluster.settle-timeout=2s'];
  const am1 = await startAlertmanager({ config, cluster: {}, args: gossip });
  const am2 = await startAlertmanager({ config, cluster: { peers: [am1.clusterAddress as string] }, args: gossip });
  try {
    const until = Date.now() + 30_000;
    while ((await am1.status()).cluster.peers.length < 2 || (await am2.status()).cluster.peers.length < 2) {
      assert.ok(Date.now() < until, 'the two Alertmanagers joined one cluster');
      await new Promise((r) => setTimeout(r, 200));
    }
    // What Prometheus does: the same alert to every Alertmanager.
    const alert = { labels: { alertname: 'ClusteredOnce', severity: 'critical', host: 'web-1' }, annotations: { summary: 'once only' }, startsAt: new Date().toISOString() };
    await am1.postAlerts([alert]);
    await am2.postAlerts([alert]);
    await robot.waitFor((m) => m.some((x) => x.text.includes('ClusteredOnce')), 60_000);
    // The second peer waits peer-timeout (3 s) before it would send; give it well past that.
    await new Promise((r) => setTimeout(r, 10_000));
    const got = robot.messages.filter((x) => x.text.includes('ClusteredOnce'));
    assert.equal(got.length, 1, 'one message for one alert from two Alertmanagers');
  } finally {
    await am2.stop();
    await am1.stop();
    await vigil.stop();
    await smtp.close();
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
});
