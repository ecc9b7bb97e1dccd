import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { relayOnlyYaml, samplePayload } from './fixtures';
import { startRobotStub } from './robot-stub';

const BIN = join(import.meta.dirname, '../../bin/vigil.ts');
const SECRET = 'SECrestart-secret';

/** `vigil serve` as its own process; resolves with its port once it is ready. */
async function serve(file: string, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'serve', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${dataDir}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DINGTALK_SECRET: SECRET },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /"message":"Vigil is ready".*?"port":(\d+)/.exec(out);
    if (m) return { child, url: `http://127.0.0.1:${m[1]}`, out: () => out };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`vigil did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('notifications answered 202 survive kill -9 and are delivered after the restart', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-restart-'));
  const robot = await startRobotStub(SECRET);
  robot.script(Array.from({ length: 10_000 }, () => 503)); // the robot is down: nothing leaves the queue
  const file = join(dir, 'vigil.yml');
  await writeFile(
    file,
    relayOnlyYaml(`  language: en
  retry: {initial: 100ms, max: 500ms}
  targets:
    ops: {type: dingtalk, url: "${robot.url}", secret: "\${DINGTALK_SECRET}"}
`),
  );
  const first = await serve(file, join(dir, 'data'));
  try {
    for (const key of ['one', 'two', 'three']) {
      const p = samplePayload(1, { groupKey: key });
      (p.alerts[0] as { annotations: Record<string, string> }).annotations.summary = `notification ${key}`;
      const res = await fetch(`${first.url}/alerts/ops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
      assert.equal(res.status, 202);
    }
    while (robot.requests < 2) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    assert.equal(robot.messages.length, 0, 'nothing was delivered before the kill');

    robot.script([]); // the robot is back
    const second = await serve(file, join(dir, 'data'));
    try {
      await robot.waitFor((m) => ['one', 'two', 'three'].every((k) => m.some((x) => x.text.includes(`notification ${k}`))), 60_000);
      const order = ['one', 'two', 'three'].map((k) => robot.messages.findIndex((x) => x.text.includes(`notification ${k}`)));
      assert.deepEqual([...order].sort((a, b) => a - b), order, 'in the order they were accepted');
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      assert.match(metrics, /^vigil_notification_queue_length\{target="ops"\} 0$/m);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  } finally {
    if (first.child.exitCode === null) first.child.kill('SIGKILL');
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the rate limit holds across kill -9: requests of the last window are remembered', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-restart-limit-'));
  const robot = await startRobotStub(SECRET);
  const file = join(dir, 'vigil.yml');
  const WINDOW_MS = 6000;
  await writeFile(
    file,
    relayOnlyYaml(`  language: en
  rate_limit: {messages: 2, window: ${WINDOW_MS}ms}
  targets:
    ops: {type: dingtalk, url: "${robot.url}", secret: "\${DINGTALK_SECRET}"}
`),
  );
  const post = async (url: string, key: string): Promise<void> => {
    const p = samplePayload(1, { groupKey: key });
    (p.alerts[0] as { annotations: Record<string, string> }).annotations.summary = `notification ${key}`;
    const res = await fetch(`${url}/alerts/ops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
    assert.equal(res.status, 202);
  };
  const first = await serve(file, join(dir, 'data'));
  let second: Awaited<ReturnType<typeof serve>> | undefined;
  try {
    await post(first.url, 'one');
    await post(first.url, 'two');
    await robot.waitFor((m) => m.length === 2, 60_000);
    await new Promise((r) => setTimeout(r, 200)); // the times are saved right after the requests
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    second = await serve(file, join(dir, 'data'));
    await post(second.url, 'three');
    // Delivery is at-least-once: a notification whose acknowledgement was not on disk at kill -9
    // is sent again after the restart, so look for "three" by its text, not by its position.
    const isThree = (m: { text: string }): boolean => /notification three/.test(m.text);
    await robot.waitFor((m) => m.some(isThree), 60_000);
    const [one] = robot.messages;
    const three = robot.messages.find(isThree);
    assert.match(one?.text ?? '', /notification one/);
    // Two requests were sent at `one.at` or after: the third may not leave before the window has passed.
    assert.ok((three?.at ?? 0) - (one?.at ?? 0) >= WINDOW_MS - 50, `the third request came ${(three?.at ?? 0) - (one?.at ?? 0)} ms after the first`);
  } finally {
    for (const c of [first.child, second?.child]) if (c && c.exitCode === null) c.kill('SIGKILL');
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
});
