import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RobotMessage {
  readonly at: number;
  readonly body: {
    msgtype: string;
    markdown?: { title?: string; text?: string; content?: string };
    text?: { content: string; mentioned_mobile_list?: string[] };
    at?: { atMobiles: string[]; isAtAll: boolean };
  };
  readonly text: string;
}

export interface RobotStub {
  readonly url: string;
  readonly messages: RobotMessage[];
  /** Requests refused for a bad signature. */
  readonly badSignatures: number;
  readonly requests: number;
  /** Answers for the next requests, in order ({errcode:0} once they run out); a number is an HTTP status. */
  script(answers: (object | number)[]): void;
  waitFor(pred: (msgs: readonly RobotMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A stand-in for DingTalk's robot API on 127.0.0.1:0 that checks requests as DingTalk does: the
 * timestamp within an hour of now, and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret));
 * a mismatch is answered with errcode 310000 like the real one.
 */
export async function startRobotStub(secret?: string): Promise<RobotStub> {
  const messages: RobotMessage[] = [];
  let answers: (object | number)[] = [];
  let badSignatures = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number, body: object): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (secret !== undefined) {
        const ts = url.searchParams.get('timestamp') ?? '';
        const sign = url.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
        if (Math.abs(Date.now() - Number(ts)) > 3_600_000 || sign !== expected) {
          badSignatures++;
          reply(200, { errcode: 310000, errmsg: 'sign not match' });
          return;
        }
      }
      const next = answers.shift();
      if (typeof next === 'number') {
        reply(next, { error: 'scripted' });
        return;
      }
      if (next && (next as { errcode?: number }).errcode !== 0) {
        reply(200, next);
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RobotMessage['body'];
      messages.push({ at: Date.now(), body, text: body.markdown?.text ?? body.markdown?.content ?? body.text?.content ?? '' });
      reply(200, { errcode: 0, errmsg: 'ok' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/robot/send?access_token=test-token`,
    messages,
    get badSignatures() {
      return badSignatures;
    },
    get requests() {
      return requests;
    },
    script(a) {
      answers = [...a];
    },
    async waitFor(pred, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(messages)) {
        if (Date.now() > deadline) throw new Error(`robot stub: condition not met in ${timeoutMs} ms; got ${messages.length} messages`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
