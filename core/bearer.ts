import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-server';
import type { Secret } from './secrets';

/**
 * The bearer-token gate of the write APIs. `matches` is undefined when no token is configured:
 * every request is refused with 503 and what to set (`setting`). A missing or wrong token is 401.
 */
export function requireBearer(req: IncomingMessage, res: ServerResponse, matches: ((given: string) => boolean) | undefined, setting: string): void {
  if (!matches) {
    req.resume();
    throw new HttpError(503, `no API token is configured: set ${setting}`);
  }
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m || !matches(m[1] as string)) {
    req.resume();
    res.setHeader('www-authenticate', 'Bearer realm="vigil"');
    throw new HttpError(401, m ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <token>');
  }
}

/** A bearer-token check: the expected token's digest is computed once, each request's in constant time. */
export function tokenChecker(expected: Secret): (given: string) => boolean {
  const want = createHash('sha256').update(expected.reveal()).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), want);
}
