import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { classifyError } from '../../relay/robots/answer';
import { postJson } from '../../relay/robots/http-post';
import { sendToRobot } from '../../relay/robots/robot';

/** A server on 127.0.0.1:0; `handle` answers (or not) each request after its body arrived. */
async function withServer(handle: (body: string, headers: Record<string, unknown>, answer: (status: number, body: string) => void) => void, fn: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(Buffer.concat(chunks).toString('utf8'), req.headers, (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(body)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/send?access_token=t`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('postJson sends the JSON body (UTF-8, with its length) and returns the status and answer', () =>
  withServer(
    (body, headers, answer) => answer(200, JSON.stringify({ errcode: 0, got: JSON.parse(body) as unknown, type: headers['content-type'], length: headers['content-length'] })),
    async (url) => {
      const body = JSON.stringify({ text: '告警 firing' });
      for (let i = 0; i < 3; i++) {
        const r = await postJson(url, body, 5000);
        assert.equal(r.status, 200);
        const echoed = JSON.parse(r.body) as { got: unknown; type: string; length: string };
        assert.deepEqual(echoed.got, { text: '告警 firing' });
        assert.equal(echoed.type, 'application/json; charset=utf-8');
        assert.equal(Number(echoed.length), Buffer.byteLength(body));
      }
    },
  ));

test('no answer within the timeout: a TimeoutError, retried as "timed out"', () =>
  withServer(
    () => undefined, // never answers
    async (url) => {
      const err = await postJson(url, '{}', 200).then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      assert.equal((err as Error).name, 'TimeoutError');
      assert.deepEqual(classifyError(err), { kind: 'retry', reason: 'timed out' });
      const answer = await sendToRobot({ url, body: '{}' }, 200);
      assert.deepEqual(answer.outcome, { kind: 'retry', reason: 'timed out' });
    },
  ));

test('a refused connection is retried with its code; an abort ends the request', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const refused = await sendToRobot({ url: `http://127.0.0.1:${closed}/robot/send`, body: '{}' }, 2000);
  assert.deepEqual(refused.outcome, { kind: 'retry', reason: 'ECONNREFUSED' });
  await withServer(
    () => undefined,
    async (url) => {
      const abort = new AbortController();
      const pending = postJson(url, '{}', 10_000, abort.signal);
      setTimeout(() => abort.abort(), 50);
      const err = await pending.then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      assert.equal((err as Error).name, 'AbortError');
    },
  );
  await assert.rejects(postJson('ftp://127.0.0.1/x', '{}', 1000), /unsupported URL scheme/);
});

test('an HTTP error answer is read like any other (status and body)', () =>
  withServer(
    (_body, _headers, answer) => answer(502, 'bad gateway'),
    async (url) => {
      const answer = await sendToRobot({ url, body: '{}' }, 2000);
      assert.ok('status' in answer);
      assert.equal(answer.status, 502);
      assert.equal(answer.body, 'bad gateway');
      assert.deepEqual(answer.outcome, { kind: 'retry', reason: 'HTTP 502' });
    },
  ));
