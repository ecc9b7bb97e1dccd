import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { LOG_LEVELS } from '../../core/config';
import { definePart, type PartDefinition, type Part } from '../../core/part';
import { HttpError, readBody, sendJson } from '../../core/http-server';
import { promtoolFindings } from '../helpers/promtool';
import { startVigil } from '../helpers/vigil';

const fakeSchema = z.strictObject({ enabled: z.boolean().default(true), level: z.enum(LOG_LEVELS).default('info') });
type FakeSection = z.output<typeof fakeSchema>;

/** A part that records what the app asks of it; its own section `fake:` switches it and sets a level. */
function fakePart(log: string[]): PartDefinition<FakeSection> {
  return definePart({
    section: 'fake',
    schema: fakeSchema,
    dataset: 'vigil.fake',
    families: [],
    create(section): Part<FakeSection> {
      let level = section.level;
      log.push('create');
      return {
        name: 'fake',
        routes: () => [
          { method: 'GET', path: '/fake/:id', handler: (req, res) => sendJson(res, 200, { id: req.params.id, level }) },
          {
            method: 'POST',
            path: '/fake',
            handler: async (req, res) => {
              const body = await readBody(req.raw, 16);
              if (body.length === 0) throw new HttpError(422, 'empty body');
              sendJson(res, 202, { bytes: body.length });
            },
          },
        ],
        start: () => Promise.resolve(void log.push('start')),
        reload: (next) => {
          level = next.level;
          log.push(`reload ${level}`);
          return Promise.resolve();
        },
        stop: () => Promise.resolve(void log.push('stop')),
        metrics: () => '# HELP fake_value A fake value.\n# TYPE fake_value gauge\nfake_value 1\n',
      };
    },
  });
}

/** A part that only has `enabled`, with the behaviour given. */
function plainPart(section: string, part: Omit<Part, 'name'>): PartDefinition {
  return definePart({
    section,
    schema: z.strictObject({ enabled: z.boolean().default(true) }),
    dataset: 'vigil.app',
    families: [],
    create: () => ({ name: section, ...part }),
  });
}

test('built-in endpoints answer, /metrics joins parts and self metrics', async () => {
  const log: string[] = [];
  const vigil = await startVigil('log: {level: info}\n', { parts: [fakePart(log)] });
  try {
    assert.equal((await fetch(`${vigil.url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${vigil.url}/-/ready`)).status, 200);
    const metrics = await fetch(`${vigil.url}/metrics`);
    assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    assert.match(text, /^fake_value 1$/m);
    assert.match(text, /^vigil_build_info\{version="0\.1\.0",nodejs_version="v20\.[0-9.]+"\} 1$/m);
    assert.match(text, /^vigil_config_last_reload_successful 1$/m);
    assert.match(text, /^process_resident_memory_bytes [1-9][0-9]+$/m);
    assert.match(text, /^process_open_fds [1-9][0-9]*$/m);
    const lint = await promtoolFindings(text);
    assert.deepEqual(lint.findings, []);
    assert.equal(lint.code, 0);
    const landing = await (await fetch(`${vigil.url}/`)).text();
    for (const path of ['/metrics', '/-/healthy', '/-/ready', '/-/reload', '/fake/:id']) assert.ok(landing.includes(path), path);
    assert.deepEqual(await (await fetch(`${vigil.url}/fake/a%20b`)).json(), { id: 'a b', level: 'info' });
  } finally {
    await vigil.stop();
  }
  assert.deepEqual(log, ['create', 'start', 'stop']);
});

test('unknown routes, wrong methods and large bodies get JSON errors', async () => {
  const vigil = await startVigil('', { parts: [fakePart([])] });
  try {
    const notFound = await fetch(`${vigil.url}/nope`);
    assert.equal(notFound.status, 404);
    assert.deepEqual(await notFound.json(), { error: 'no route for /nope' });
    const wrongMethod = await fetch(`${vigil.url}/metrics`, { method: 'POST' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET');
    assert.deepEqual(await wrongMethod.json(), { error: 'method POST not allowed; use GET' });
    const tooLarge = await fetch(`${vigil.url}/fake`, { method: 'POST', body: 'x'.repeat(17) });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(await tooLarge.json(), { error: 'request body is larger than the limit of 16 bytes' });
    const empty = await fetch(`${vigil.url}/fake`, { method: 'POST', body: '' });
    assert.equal(empty.status, 422);
    const ok = await fetch(`${vigil.url}/fake`, { method: 'POST', body: 'x'.repeat(16) });
    assert.deepEqual(await ok.json(), { bytes: 16 });
  } finally {
    await vigil.stop();
  }
});

test('--web.route-prefix moves every route under the prefix', async () => {
  const vigil = await startVigil('', { parts: [fakePart([])], routePrefix: '/project-dashboard/' });
  try {
    assert.ok(vigil.url.endsWith('/project-dashboard'));
    assert.equal((await fetch(`${vigil.url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${vigil.url}/fake/1`)).status, 200);
    const root = new URL(vigil.url).origin;
    const outside = await fetch(`${root}/metrics`);
    assert.equal(outside.status, 404);
    assert.deepEqual(await outside.json(), { error: 'not found; routes are under /project-dashboard/' });
    const bare = await fetch(vigil.url, { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/project-dashboard/');
    const landing = await (await fetch(`${vigil.url}/`)).text();
    assert.ok(landing.includes('href="/project-dashboard/metrics"'));
  } finally {
    await vigil.stop();
  }
});

test('POST /-/reload applies a valid file and refuses an invalid one, keeping the old config', async () => {
  const log: string[] = [];
  const vigil = await startVigil('log: {level: info}\n', { parts: [fakePart(log)] });
  try {
    await writeFile(vigil.configFile, 'log: {level: debug}\nfake: {level: debug}\n');
    const ok = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(ok.status, 200);
    assert.equal(vigil.app.config().log.level, 'debug');
    assert.deepEqual(await (await fetch(`${vigil.url}/fake/x`)).json(), { id: 'x', level: 'debug' });

    await writeFile(vigil.configFile, 'log: {level: loud}\n');
    const bad = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: string };
    assert.equal(body.error, `${vigil.configFile}: log.level: Invalid option: expected one of "error"|"warn"|"info"|"debug"`);
    assert.equal(vigil.app.config().log.level, 'debug');
    assert.match(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_config_last_reload_successful 0$/m);

    await writeFile(vigil.configFile, 'fake: {enabled: false}\n');
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    assert.equal((await fetch(`${vigil.url}/fake/x`)).status, 404);
    assert.doesNotMatch(await (await fetch(`${vigil.url}/metrics`)).text(), /fake_value/);

    await writeFile(vigil.configFile, 'fake: {enabled: true}\n');
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    assert.equal((await fetch(`${vigil.url}/fake/x`)).status, 200);
  } finally {
    await vigil.stop();
  }
  assert.deepEqual(log, ['create', 'start', 'reload debug', 'stop', 'create', 'start', 'stop']);
});

test('self metrics: the open-files limit parser', async () => {
  const { parseMaxFds } = await import('../../core/self-metrics');
  assert.equal(parseMaxFds('Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n'), 1024);
  assert.equal(parseMaxFds('Max open files            unlimited            unlimited            files\n'), Infinity);
  assert.equal(parseMaxFds(''), undefined);
});

test('a part that fails to start stops the parts already started and closes the server', async () => {
  const log: string[] = [];
  const broken = plainPart('broken', {
    routes: () => [],
    start: () => Promise.reject(new Error('cannot bind')),
    reload: () => Promise.resolve(),
    stop: () => Promise.resolve(void log.push('broken stop')),
    metrics: () => '',
  });
  await assert.rejects(startVigil('', { parts: [fakePart(log), broken] }), /cannot bind/);
  assert.deepEqual(log, ['create', 'start', 'stop']);
});

test('a reload that a part cannot apply is refused whole: parts already changed go back', async () => {
  const log: string[] = [];
  const pickySchema = z.strictObject({ enabled: z.boolean().default(true), fail: z.boolean().default(false) });
  const picky = definePart({
    section: 'picky',
    schema: pickySchema,
    dataset: 'vigil.app',
    families: [],
    create: () => ({
      name: 'picky',
      routes: () => [],
      start: () => Promise.resolve(),
      reload: (next: z.output<typeof pickySchema>) => (next.fail ? Promise.reject(new Error('cannot read /run/secret')) : Promise.resolve()),
      stop: () => Promise.resolve(),
      metrics: () => '',
    }),
  });
  const vigil = await startVigil('log: {level: info}\n', { parts: [fakePart(log), picky] });
  try {
    await writeFile(vigil.configFile, 'log: {level: error}\nfake: {level: error}\npicky: {fail: true}\n');
    const refused = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), {
      error: `${vigil.configFile}: picky: cannot read /run/secret; the previous configuration keeps running`,
    });
    assert.equal(vigil.app.config().log.level, 'info');
    assert.deepEqual(await (await fetch(`${vigil.url}/fake/x`)).json(), { id: 'x', level: 'info' });
    assert.match(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_config_last_reload_successful 0$/m);
  } finally {
    await vigil.stop();
  }
  assert.deepEqual(log, ['create', 'start', 'reload error', 'reload info', 'stop']);
});
