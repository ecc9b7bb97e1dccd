import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { z } from 'zod';
import { definePart, type PartDefinition } from '../../core/part';
import { readBody, requireJson, sendJson, parseJson } from '../../core/http-server';
import { parseRequestTarget } from '../../core/request-target';
import { capturingLogger } from '../exporters/projects/capture';
import { startVigil } from '../helpers/vigil';

/** Sends `requestLine` as written (no client-side normalisation) and returns the status line and body. */
async function rawRequest(port: number, requestLine: string, extra = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/** A part with a literal route beside a parameter route, a JSON endpoint and a 16-byte body limit. */
const routesPart: PartDefinition = definePart({
  section: 'routes',
  schema: z.strictObject({ enabled: z.boolean().default(true) }),
  dataset: 'vigil.app',
  families: [],
  create: () => ({
    name: 'routes',
    routes: () => [
      { method: 'POST', path: '/things/events', handler: (_req, res) => sendJson(res, 202, { took: 'events' }) },
      { method: 'GET', path: '/things/:id', handler: (req, res) => sendJson(res, 200, { id: req.params.id }) },
      {
        method: 'POST',
        path: '/json',
        handler: async (req, res) => {
          requireJson(req.raw);
          sendJson(res, 200, { got: parseJson(await readBody(req.raw, 1024)) });
        },
      },
      { method: 'POST', path: '/small', handler: async (req, res) => sendJson(res, 200, { bytes: (await readBody(req.raw, 16)).length }) },
    ],
    start: () => Promise.resolve(),
    reload: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    metrics: () => '',
  }),
});

test('routing uses the literal path: "//host/-/reload" is not /-/reload', async () => {
  const { logger, records } = capturingLogger();
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart], logger });
  const port = Number(new URL(vigil.url).port);
  try {
    for (const line of ['POST //evil/-/reload HTTP/1.1', 'POST //-/reload HTTP/1.1', 'POST /x/../-/reload HTTP/1.1', 'GET //metrics HTTP/1.1', 'GET /metrics/ HTTP/1.1']) {
      const r = await rawRequest(port, line, 'Content-Length: 0\r\n');
      assert.equal(r.status, 404, line);
    }
    assert.equal((await rawRequest(port, 'GET /metrics HTTP/1.1')).status, 200);
    assert.equal((await rawRequest(port, 'GET /metrics?x=1 HTTP/1.1')).status, 200);
    // absolute-form: the path after the authority, literally
    assert.equal((await rawRequest(port, 'GET http://127.0.0.1/metrics HTTP/1.1')).status, 200);
    assert.equal((await rawRequest(port, 'POST http://evil//-/reload HTTP/1.1', 'Content-Length: 0\r\n')).status, 404);
  } finally {
    await vigil.stop();
  }
  assert.deepEqual(records.filter((r) => r['log.level'] === 'error'), []);
});

test('malformed request targets answer 400 with a reason, never 500', async () => {
  const { logger, records } = capturingLogger();
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart], logger });
  const port = Number(new URL(vigil.url).port);
  try {
    for (const target of ['http://[', 'http://x@/metrics', 'ftp://x/metrics', '/a#b', '/%zz', '/things/%zz', '/things/%C0', '/a%', '*']) {
      const r = await rawRequest(port, `GET ${target} HTTP/1.1`);
      assert.equal(r.status, 400, target);
      assert.match((JSON.parse(r.body) as { error: string }).error, /^malformed request target: /, target);
    }
    // these are well-formed paths that name no route
    for (const target of ['//[', '//%2F', '//a:b:c/', '//x@/metrics']) {
      assert.equal((await rawRequest(port, `GET ${target} HTTP/1.1`)).status, 404, target);
    }
  } finally {
    await vigil.stop();
  }
  assert.deepEqual(records.filter((r) => r['log.level'] === 'error'), []);
});

test('the request target parser keeps the path literal and splits the query', () => {
  assert.deepEqual(parseRequestTarget('//evil/-/reload?a=1'), { path: '//evil/-/reload', search: 'a=1' });
  assert.deepEqual(parseRequestTarget('/a/../b'), { path: '/a/../b', search: '' });
  assert.deepEqual(parseRequestTarget('HTTP://host:1?x'), { path: '/', search: 'x' });
  assert.ok('error' in parseRequestTarget('/a#frag'));
});

test('a literal route owns its path: a wrong method gets 405 with Allow, not the parameter route', async () => {
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart] });
  try {
    const wrong = await fetch(`${vigil.url}/things/events`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.deepEqual(await wrong.json(), { error: 'method GET not allowed; use POST' });
    assert.deepEqual(await (await fetch(`${vigil.url}/things/a%20b`)).json(), { id: 'a b' });
    assert.equal((await fetch(`${vigil.url}/things/`)).status, 404);
  } finally {
    await vigil.stop();
  }
});

test('JSON endpoints answer 415 to a body that does not say JSON', async () => {
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart] });
  try {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', undefined]) {
      const r = await fetch(`${vigil.url}/json`, { method: 'POST', headers: type === undefined ? {} : { 'content-type': type }, body: type === undefined ? undefined : '{}' });
      assert.equal(r.status, 415, String(type));
      assert.match(((await r.json()) as { error: string }).error, /^expected Content-Type: application\/json, got /);
    }
    for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.api+json']) {
      const r = await fetch(`${vigil.url}/json`, { method: 'POST', headers: { 'content-type': type }, body: '{"a":1}' });
      assert.equal(r.status, 200, type);
    }
  } finally {
    await vigil.stop();
  }
});

/** Uploads `bytes` from another process (see upload-client.ts); its output is the status or "error CODE". */
async function uploadFromAnotherProcess(url: string, bytes: number, declareLength: boolean): Promise<string> {
  const client = join(import.meta.dirname, '../helpers/upload-client.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', client, url, String(bytes), declareLength ? '1' : '0']);
  return stdout.trim();
}

test('a 413 is read by a client still sending its body, not a connection reset', async () => {
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart] });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal(await uploadFromAnotherProcess(`${vigil.url}/small`, 512 * 1024, false), '413');
      assert.equal(await uploadFromAnotherProcess(`${vigil.url}/small`, 512 * 1024, true), '413');
    }
  } finally {
    await vigil.stop();
  }
});

test('--web.route-prefix: the bare prefix redirects with its query string', async () => {
  const vigil = await startVigil('log: {level: info}\n', { parts: [routesPart], routePrefix: '/project-dashboard' });
  try {
    const bare = await fetch(`${vigil.url}?project=web&limit=5`, { redirect: 'manual' });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/project-dashboard/?project=web&limit=5');
    const plain = await fetch(vigil.url, { redirect: 'manual' });
    assert.equal(plain.headers.get('location'), '/project-dashboard/');
  } finally {
    await vigil.stop();
  }
});

/** A part whose /metrics text is `text`, in its own section. */
const textPart = (section: string, text: string): PartDefinition =>
  definePart({
    section,
    schema: z.strictObject({ enabled: z.boolean().default(true) }),
    dataset: 'vigil.app',
    families: [],
    create: () => ({
      name: section,
      routes: () => [],
      start: () => Promise.resolve(),
      reload: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      metrics: () => text,
    }),
  });

test("/metrics sends every part's text in order, unjoined, with the body's byte length (multi-byte text too)", async () => {
  const first = '# HELP city_temperature_celsius Temperature in °C.\n# TYPE city_temperature_celsius gauge\ncity_temperature_celsius{city="Zürich"} 21.5\n';
  const second = 'city_rain_mm{city="東京"} 3\n'.repeat(3000); // ~90 KiB: the body passes V8's 128 KiB large-object line with the first
  const vigil = await startVigil('log: {level: warn}\n', { parts: [textPart('first', first), textPart('empty', ''), textPart('second', second)] });
  try {
    const res = await fetch(`${vigil.url}/metrics`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), body.length);
    const text = body.toString('utf8');
    assert.ok(text.startsWith(first + second), 'the parts in order, nothing between them');
    assert.match(text.slice(first.length + second.length), /^# HELP vigil_build_info /m, "core's own metrics after the parts");
  } finally {
    await vigil.stop();
  }
});
