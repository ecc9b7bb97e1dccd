import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { projectsPart } from '../../../exporters/projects/part';
import type { ProjectJson } from '../../../exporters/projects/api';
import { readSse } from '../../helpers/sse';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { closedPort, httpServer } from './servers';

const TOKEN = 'projects-test-token';

const yaml = (targets: string, extra = ''): string => `projects:\n  interval: 1h\n${extra}  targets:\n${targets}`;

async function getJson<T>(vigil: RunningVigil, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${vigil.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

const trigger = (vigil: RunningVigil, name: string, token?: string): Promise<Response> =>
  fetch(`${vigil.url}/api/v1/projects/${encodeURIComponent(name)}/check`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Polls until the project has a result (the first run happens in the background after start). */
async function waitChecked(vigil: RunningVigil, name: string): Promise<ProjectJson> {
  for (let i = 0; i < 400; i++) {
    const { body } = await getJson<ProjectJson>(vigil, `/api/v1/projects/${name}`);
    if (body.last_check !== null) return body;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`project ${name} was never checked`);
}

describe('projects API', () => {
  it('lists every project with each check\'s last result, and answers one by name or 404', async (t) => {
    const web = await httpServer((_req, res) => res.end('ok'));
    t.after(() => web.close());
    const down = await closedPort();
    const vigil = await startVigil(
      yaml(
        `    - {name: web, labels: {team: shop}, checks: [{type: http, url: "http://127.0.0.1:${web.port}/?secret=s3cr3t"}]}\n` +
          `    - {name: db, checks: [{type: tcp, address: "127.0.0.1:${down}"}]}\n`,
      ),
      { parts: [projectsPart] },
    );
    t.after(() => vigil.stop());
    await waitChecked(vigil, 'web');
    await waitChecked(vigil, 'db');
    const list = await getJson<{ projects: ProjectJson[] }>(vigil, '/api/v1/projects');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.projects.map((p) => [p.name, p.status]), [['web', 'up'], ['db', 'down']]);
    const web1 = list.body.projects[0] as ProjectJson;
    assert.deepEqual(web1.labels, { team: 'shop' });
    assert.equal(web1.checks[0]?.http_status, 200);
    assert.equal(web1.checks[0]?.success, true);
    assert.ok((web1.checks[0]?.duration_seconds ?? -1) >= 0);
    assert.doesNotMatch(JSON.stringify(list.body), /s3cr3t/, 'a check URL (which may hold a secret) is never shown');
    const db = await getJson<ProjectJson>(vigil, '/api/v1/projects/db');
    assert.equal(db.status, 200);
    assert.equal(db.body.checks[0]?.success, false);
    assert.equal(db.body.checks[0]?.reason, 'connection refused');
    assert.equal(db.body.failures, 1);
    const missing = await getJson<{ error: string }>(vigil, '/api/v1/projects/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no project "nope"/);
  });

  it('refuses the trigger without a configured token (503), without or with a wrong token (401)', async (t) => {
    const web = await httpServer((_req, res) => res.end('ok'));
    t.after(() => web.close());
    const targets = `    - {name: web, checks: [{type: http, url: "http://127.0.0.1:${web.port}/"}]}\n`;
    const none = await startVigil(yaml(targets), { parts: [projectsPart] });
    t.after(() => none.stop());
    const unconfigured = await trigger(none, 'web', TOKEN);
    assert.equal(unconfigured.status, 503);
    assert.match(((await unconfigured.json()) as { error: string }).error, /VIGIL_API_TOKEN/);

    const vigil = await startVigil(yaml(targets), { parts: [projectsPart], env: { VIGIL_API_TOKEN: TOKEN } });
    t.after(() => vigil.stop());
    const missing = await trigger(vigil, 'web');
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="vigil"');
    const wrong = await trigger(vigil, 'web', 'not-the-token');
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { error: string }).error, /invalid bearer token/);
    const unknown = await trigger(vigil, 'nope', TOKEN);
    assert.equal(unknown.status, 404);
  });

  it('runs the checks now and answers with the result; a project being checked is not checked twice at once', async (t) => {
    let requests = 0;
    let healthy = true;
    const web = await httpServer((_req, res) => {
      requests++;
      setTimeout(() => {
        res.statusCode = healthy ? 200 : 500;
        res.end('ok');
      }, 300);
    });
    t.after(() => web.close());
    const vigil = await startVigil(yaml(`    - {name: web, checks: [{type: http, url: "http://127.0.0.1:${web.port}/"}]}\n`), {
      parts: [projectsPart],
      env: { VIGIL_API_TOKEN: TOKEN },
    });
    t.after(() => vigil.stop());
    await waitChecked(vigil, 'web');
    assert.equal(requests, 1, 'the start-up run');
    healthy = false;
    const [a, b] = await Promise.all([trigger(vigil, 'web', TOKEN), trigger(vigil, 'web', TOKEN)]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(requests, 2, 'two concurrent triggers share one run');
    const result = (await a.json()) as ProjectJson;
    assert.equal(result.status, 'down');
    assert.equal(result.checks[0]?.http_status, 500);
    assert.deepEqual(await b.json(), result);
  });

  it('streams check results and status changes, filtered by project; past max_clients it answers 503', async (t) => {
    let healthy = true;
    const web = await httpServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    t.after(() => web.close());
    const targets = `    - {name: web, checks: [{type: http, url: "http://127.0.0.1:${web.port}/"}]}\n    - {name: other, checks: [{type: http, url: "http://127.0.0.1:${web.port}/"}]}\n`;
    const vigil = await startVigil(yaml(targets, '  stream: {max_clients: 2}\n'), { parts: [projectsPart], env: { VIGIL_API_TOKEN: TOKEN } });
    t.after(() => vigil.stop());
    await waitChecked(vigil, 'web');
    await waitChecked(vigil, 'other');
    const all = readSse(`${vigil.url}/api/v1/projects/stream`, (got) => got.filter((e) => e.event === 'check').length >= 2);
    const onlyWeb = readSse(`${vigil.url}/api/v1/projects/stream?project=web`, (got) => got.some((e) => e.event === 'status'));
    await all.ready;
    await onlyWeb.ready;
    const third = await fetch(`${vigil.url}/api/v1/projects/stream`);
    assert.equal(third.status, 503);
    healthy = false;
    assert.equal((await trigger(vigil, 'other', TOKEN)).status, 200);
    assert.equal((await trigger(vigil, 'web', TOKEN)).status, 200);
    const events = await all.done;
    assert.deepEqual(
      events.filter((e) => e.event === 'check').map((e) => [(e.data as ProjectJson).name, (e.data as ProjectJson).status]),
      [['other', 'down'], ['web', 'down']],
    );
    const webEvents = await onlyWeb.done;
    assert.ok(webEvents.every((e) => (e.data as { project?: string; name?: string }).project === 'web' || (e.data as ProjectJson).name === 'web'));
    assert.deepEqual(webEvents.find((e) => e.event === 'status')?.data, { project: 'web', from: 'up', to: 'down' });
  });
});
