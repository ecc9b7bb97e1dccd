import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Kept-alive connections to the robots (a few per host: a target sends one request at a time). */
const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 8 }),
};

/** Answer bodies past this are cut (robots answer a few dozen bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs a JSON body and reads the answer, with node:http on kept-alive connections (cheaper than
 * fetch per request: see relay/README.md, design notes). Rejects like fetch does:
 * an Error named TimeoutError after `timeoutMs`, AbortError when `signal` aborts, otherwise the
 * socket's error (with its `code`, such as ECONNREFUSED).
 */
export function postJson(url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    if (!https && target.protocol !== 'http:') return reject(new Error(`unsupported URL scheme ${target.protocol}`));
    const payload = Buffer.from(body, 'utf8');
    const req = (https ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length },
        ...(signal ? { signal } : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(payload);
  });
}
