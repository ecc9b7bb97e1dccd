import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startVigil } from '../helpers/vigil';
import { relayOnlyYaml, samplePayload } from './fixtures';
import { startRobotStub } from './robot-stub';

const post = (url: string, body: unknown): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('reload: queued notifications go to the new robot URL, new targets appear, a broken template is refused', async () => {
  const down = await startRobotStub();
  const up = await startRobotStub();
  down.script(Array.from({ length: 10_000 }, () => 503));
  const yaml = (opsUrl: string, more = '', top = ''): string =>
    relayOnlyYaml(`  language: en
  retry: {initial: 50ms, max: 200ms}
${top}  targets:
    ops: {type: wecom, url: "${opsUrl}"}
${more}`);
  const v = await startVigil(yaml(down.url));
  try {
    assert.equal((await post(`${v.url}/alerts/ops`, samplePayload(1))).status, 202);
    assert.equal((await post(`${v.url}/alerts/dev`, samplePayload(1))).status, 404);
    while (down.requests < 2) await new Promise((r) => setTimeout(r, 20));

    await writeFile(v.configFile, yaml(up.url, `    dev: {type: wecom, url: "${up.url}", language: zh}\n`));
    assert.equal((await fetch(`${v.url}/-/reload`, { method: 'POST' })).status, 200);
    await up.waitFor((m) => m.length === 1);
    assert.match(up.messages[0]?.text ?? '', /FIRING: HostDown/, 'the notification queued before the reload');
    assert.equal((await post(`${v.url}/alerts/dev`, samplePayload(1))).status, 202);
    await up.waitFor((m) => m.some((x) => x.text.includes('告警')));

    const dir = join(v.dir, 'templates');
    await mkdir(dir);
    await writeFile(join(dir, 'message.en.eta'), '<% if ( %>');
    await writeFile(v.configFile, yaml(down.url, '', `  templates_dir: ${dir}\n`));
    const refused = await fetch(`${v.url}/-/reload`, { method: 'POST' });
    assert.notEqual(refused.status, 200);
    assert.match(await refused.text(), /message\.en\.eta/);
    assert.equal((await post(`${v.url}/alerts/dev`, samplePayload(1))).status, 202, 'the previous configuration keeps running');
    await up.waitFor((m) => m.filter((x) => x.text.includes('告警')).length === 2);
  } finally {
    await v.stop();
    await down.close();
    await up.close();
  }
});
