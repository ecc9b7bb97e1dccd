import assert from 'node:assert/strict';
import { request } from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * Reads Server-Sent Events from `url` until `until` holds for the events so far. `ready` resolves
 * once the server has answered (the client is attached), so a test can then cause the events.
 */
export function readSse(url: string, until: (events: readonly SseEvent[]) => boolean): { ready: Promise<void>; done: Promise<SseEvent[]> } {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  const done = new Promise<SseEvent[]>((resolve, reject) => {
    const req = request(url, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/event-stream/);
      const got: SseEvent[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        onReady();
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (ev && data) got.push({ event: ev[1] as string, data: JSON.parse(data[1] as string) });
        }
        if (until(got)) {
          req.destroy();
          resolve(got);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  return { ready, done };
}
