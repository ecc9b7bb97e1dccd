import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { relayConfigSchema } from '../../relay/config';
import { notifyCommand } from '../../relay/cli';
import { samplePayload } from './fixtures';
import { startRobotStub } from './robot-stub';

const SECRET = 'SECcli-secret';

async function run(argv: string[], relay: unknown): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await notifyCommand(argv, {
    loadRelayConfig: () => Promise.resolve(relayConfigSchema.parse(relay)),
    now: () => Date.now(),
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

const relayWith = (url: string, secret = SECRET) => ({ enabled: true, language: 'en', targets: { ops: { type: 'dingtalk', url, secret }, dev: { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' } } });

test('notify test sends a signed test message and prints the robot answer', async () => {
  const robot = await startRobotStub(SECRET);
  try {
    const ok = await run(['test', '--target', 'ops'], relayWith(robot.url));
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^ops: HTTP 200 \{"errcode":0,"errmsg":"ok"\}\ndelivered\n$/);
    assert.equal(robot.messages.length, 1);
    assert.match(robot.messages[0]?.text ?? '', /Test message from Vigil/);

    const refused = await run(['test', '--target', 'ops'], relayWith(robot.url, 'SECwrong'));
    assert.equal(refused.code, 1);
    assert.match(refused.out, /errcode":310000.*\nnot delivered \(permanent\): errcode 310000/);
  } finally {
    await robot.close();
  }
});

test('notify usage errors: no target, unknown target, unknown subcommand', async () => {
  const cfg = relayWith('http://127.0.0.1:9/robot');
  assert.equal((await run(['test'], cfg)).code, 2);
  const unknown = await run(['test', '--target', 'nobody'], cfg);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no relay target "nobody".*configured: ops, dev/);
  assert.equal((await run(['send'], cfg)).code, 2);
  const down = await run(['test', '--target', 'ops'], cfg);
  assert.equal(down.code, 1);
  assert.match(down.err, /no answer from 127\.0\.0\.1:9/);
});

test('notify preview renders a payload file for every target without sending; a bad file is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'relay-cli-'));
  try {
    const file = join(dir, 'payload.json');
    await writeFile(file, JSON.stringify(samplePayload(2)));
    const r = await run(['preview', file], relayWith('http://127.0.0.1:9/robot'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^== ops \(dingtalk, \d+ of 20000 bytes, 2 of 2 alerts\) ==\n### \[FIRING:2\] HostDown/m);
    assert.match(r.out, /^== dev \(wecom, \d+ of 4096 bytes, 2 of 2 alerts\) ==/m);
    const one = await run(['preview', file, '--target', 'dev'], relayWith('http://127.0.0.1:9/robot'));
    assert.doesNotMatch(one.out, /== ops/);

    await writeFile(file, JSON.stringify({ ...samplePayload(1), alerts: [] }));
    const bad = await run(['preview', file], relayWith('http://127.0.0.1:9/robot'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not an Alertmanager webhook payload.*\n {2}alerts:/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the vigil binary runs notify preview with the config file', async () => {
  const { execFile } = await import('node:child_process');
  const dir = await mkdtemp(join(tmpdir(), 'relay-cli-'));
  try {
    const config = join(dir, 'vigil.yml');
    await writeFile(config, 'relay:\n  enabled: true\n  language: zh\n  targets:\n    ops: {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}\n');
    const file = join(dir, 'payload.json');
    await writeFile(file, JSON.stringify(samplePayload(1)));
    const bin = join(import.meta.dirname, '../../bin/vigil.ts');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', bin, 'notify', 'preview', file, `--config.file=${config}`], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    assert.match(out, /^== ops \(wecom, \d+ of 4096 bytes, 1 of 1 alerts\) ==\n### \[告警:1\] HostDown/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
