import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startVigil, type RunningVigil } from '../helpers/vigil';
import { relayOnlyYaml, samplePayload } from './fixtures';
import { startRobotStub, type RobotStub } from './robot-stub';

const SECRET = 'SECrelay-test-secret';

function relayYaml(robotUrl: string, extra = ''): string {
  return relayOnlyYaml(`  language: en
  retry: {initial: 50ms, max: 200ms}
${extra}  targets:
    ops:
      type: dingtalk
      url: ${robotUrl}
      secret: \${DINGTALK_SECRET}
`);
}

async function withRelay(fn: (v: RunningVigil, robot: RobotStub) => Promise<void>, opts: { extra?: string; env?: Record<string, string>; robotSecret?: string } = {}): Promise<void> {
  const robot = await startRobotStub(opts.robotSecret ?? SECRET);
  const v = await startVigil(relayYaml(robot.url, opts.extra), { env: { DINGTALK_SECRET: SECRET, ...opts.env } });
  try {
    await fn(v, robot);
  } finally {
    await v.stop();
    await robot.close();
  }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function metric(v: RunningVigil, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${v.url}/metrics`)).text();
  const m = new RegExp(`^${line.source} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

test('a notification is queued (202) and reaches the robot signed, with the right content', () =>
  withRelay(async (v, robot) => {
    const res = await post(`${v.url}/alerts/ops`, samplePayload(1));
    assert.equal(res.status, 202);
    await robot.waitFor((m) => m.length === 1);
    assert.equal(robot.badSignatures, 0);
    const msg = robot.messages[0];
    assert.equal(msg?.body.msgtype, 'markdown');
    assert.match(msg?.text ?? '', /FIRING: HostDown/);
    assert.match(msg?.text ?? '', /web-1 is down/);
    await waitMetric(v, /vigil_notifications_total\{target="ops",result="delivered"\}/, 1);
    assert.equal(await metric(v, /vigil_notification_queue_length\{target="ops"\}/), 0);
    assert.equal(await metric(v, /vigil_notification_oldest_queued_age_seconds\{target="ops"\}/), 0);
    assert.equal(await metric(v, /vigil_notification_duration_seconds_count\{target="ops"\}/), 1);
  }));

async function waitMetric(v: RunningVigil, line: RegExp, want: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await metric(v, line)) === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await metric(v, line), want, line.source);
}

test('bad requests: 400 with the reason, 415 for a body that is not JSON, nothing queued; 404 for an unknown target', () =>
  withRelay(async (v, robot) => {
    const bad = await post(`${v.url}/alerts/ops`, { ...samplePayload(1), version: '3' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: string; problems: string[] };
    assert.match(body.error, /Alertmanager webhook payload/);
    assert.match(body.problems.join(), /version/);
    assert.equal((await post(`${v.url}/alerts/ops`, '{not json')).status, 400);
    assert.equal((await post(`${v.url}/alerts/nobody`, samplePayload(1))).status, 404);
    // A valid payload sent as something else than JSON: 415 with a JSON reason, nothing queued.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const wrongType = await post(`${v.url}/alerts/ops`, samplePayload(1), { 'content-type': type });
      assert.equal(wrongType.status, 415, type);
      assert.match(wrongType.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(((await wrongType.json()) as { error: string }).error, new RegExp(`expected Content-Type: application/json, got "${type}"`));
    }
    const noType = await fetch(`${v.url}/alerts/ops`, { method: 'POST', body: new Blob([JSON.stringify(samplePayload(1))]) });
    assert.equal(noType.status, 415);
    assert.match(((await noType.json()) as { error: string }).error, /got none/);
    assert.equal(await metric(v, /vigil_notifications_total\{target="ops",result="rejected"\}/), 5);
    assert.equal(await metric(v, /vigil_notifications_total\{target="ops",result="accepted"\}/), undefined);
    assert.equal(await metric(v, /vigil_notification_queue_length\{target="ops"\}/), 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(robot.requests, 0, 'nothing was sent');
  }));

test('with a bearer token configured, requests without it are refused (401) and not queued', () =>
  withRelay(
    async (v, robot) => {
      const none = await post(`${v.url}/alerts/ops`, samplePayload(1));
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="vigil"');
      assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1), { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1), { authorization: 'Bearer s3cret' })).status, 202);
      await robot.waitFor((m) => m.length === 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(robot.messages.length, 1);
    },
    { env: { VIGIL_RELAY_TOKEN: 's3cret' } },
  ));

test('rate limits, 5xx and refused connections are retried until delivered', () =>
  withRelay(async (v, robot) => {
    robot.script([{ errcode: 130101, errmsg: 'send too fast' }, 502, { errcode: 410100, errmsg: 'limited' }]);
    assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1))).status, 202);
    await robot.waitFor((m) => m.length === 1);
    assert.equal(robot.requests, 4);
    await waitMetric(v, /vigil_notification_requests_total\{target="ops",result="retry"\}/, 3);
    await waitMetric(v, /vigil_notifications_total\{target="ops",result="delivered"\}/, 1);
  }));

test('WeCom: the markdown message, then a text message mentioning the mobiles; a refused mention is not retried', async () => {
  const robot = await startRobotStub();
  const v = await startVigil(
    relayOnlyYaml(`  language: en
  retry: {initial: 50ms, max: 200ms}
  targets:
    dev:
      type: wecom
      url: ${robot.url}
      mention: {mobiles: ["13900000000"], mobile_label: owner_mobile}
`),
  );
  try {
    assert.equal((await post(`${v.url}/alerts/dev`, samplePayload(1))).status, 202);
    await robot.waitFor((m) => m.length === 2);
    const [markdown, mention] = robot.messages;
    assert.equal(markdown?.body.msgtype, 'markdown');
    assert.match(markdown?.text ?? '', /FIRING: HostDown/);
    assert.equal(mention?.body.msgtype, 'text');
    assert.deepEqual(mention?.body.text?.mentioned_mobile_list, ['13900000000', '13800000001']);
    assert.match(mention?.text ?? '', /HostDown/);
    await waitMetric(v, /vigil_notification_requests_total\{target="dev",result="ok"\}/, 2);
    // The robot refuses the mention message: the alert was delivered, so nothing is sent again.
    robot.script([{ errcode: 0, errmsg: 'ok' }, { errcode: 93000, errmsg: 'invalid webhook url' }]);
    assert.equal((await post(`${v.url}/alerts/dev`, samplePayload(1))).status, 202);
    await waitMetric(v, /vigil_notification_requests_total\{target="dev",result="permanent"\}/, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(robot.requests, 4);
    assert.equal(await metric(v, /vigil_notifications_total\{target="dev",result="delivered"\}/), 2);
    assert.equal(await metric(v, /vigil_notification_queue_length\{target="dev"\}/), 0);
  } finally {
    await v.stop();
    await robot.close();
  }
});

test('a signature the robot refuses (310000) is given up at once, counted and not retried', () =>
  withRelay(
    async (v, robot) => {
      assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1))).status, 202);
      await waitMetric(v, /vigil_notifications_total\{target="ops",result="failed"\}/, 1);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(robot.requests, 1);
      assert.equal(robot.badSignatures, 1);
      assert.equal(await metric(v, /vigil_notification_requests_total\{target="ops",result="permanent"\}/), 1);
      assert.equal(await metric(v, /vigil_notification_queue_length\{target="ops"\}/), 0);
    },
    { robotSecret: 'SECsomething-else' },
  ));

test('a full queue answers 503 (Alertmanager sends again) and keeps what it holds', () =>
  withRelay(
    async (v, robot) => {
      robot.script(Array.from({ length: 1000 }, () => 503));
      const payload = samplePayload(3);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await post(`${v.url}/alerts/ops`, payload)).status);
      assert.ok(statuses.includes(202) && statuses.includes(503), statuses.join());
      assert.equal(statuses.indexOf(503), statuses.lastIndexOf(202) + 1, 'refused only once full');
      const refused = await metric(v, /vigil_notifications_total\{target="ops",result="refused"\}/);
      assert.equal(refused, statuses.filter((s) => s === 503).length);
      const length = await metric(v, /vigil_notification_queue_length\{target="ops"\}/);
      assert.equal(length, statuses.filter((s) => s === 202).length);
      assert.ok(((await metric(v, /vigil_notification_oldest_queued_age_seconds\{target="ops"\}/)) ?? -1) >= 0);
    },
    { extra: '  queue: {max_bytes: 8KiB, segment_bytes: 4KiB}\n' },
  ));

test('config errors name the key: unknown type, bad URL, no targets, both secret and secret_file', async () => {
  const { configErrorOf } = await import('../helpers/config');
  assert.match(configErrorOf('relay: {enabled: true}\n'), /relay\.targets: expected at least one target/);
  assert.match(configErrorOf('relay: {targets: {a: {type: slack, url: "https://x"}}}\n'), /relay\.targets\.a\.type/);
  assert.match(configErrorOf('relay: {targets: {a: {type: dingtalk, url: "nope"}}}\n'), /relay\.targets\.a\.url: expected the robot webhook URL/);
  assert.match(configErrorOf('relay: {targets: {a: {type: dingtalk, url: "https://x", secret: s, secret_file: /f}}}\n'), /relay\.targets\.a\.secret_file: set secret or secret_file/);
  assert.match(configErrorOf('relay: {targets: {"a b": {type: wecom, url: "https://x"}}}\n'), /relay\.targets/);
});

test('secret_file and token_file: read from files (trailing newline trimmed); the robot accepts the signature', async () => {
  const robot = await startRobotStub(SECRET);
  const dir = await mkdtemp(join(tmpdir(), 'relay-secrets-'));
  await writeFile(join(dir, 'dingtalk'), `${SECRET}\n`);
  await writeFile(join(dir, 'token'), 'file-token\n');
  const v = await startVigil(
    relayOnlyYaml(`  token_file: ${join(dir, 'token')}
  targets:
    ops: {type: dingtalk, url: "${robot.url}", secret_file: ${join(dir, 'dingtalk')}}
`),
  );
  try {
    assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1))).status, 401);
    assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1), { authorization: 'Bearer file-token' })).status, 202);
    await robot.waitFor((m) => m.length === 1);
    assert.equal(robot.badSignatures, 0);
    assert.doesNotMatch(await (await fetch(`${v.url}/metrics`)).text(), /SECrelay|file-token|test-token/);
  } finally {
    await v.stop();
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
});
