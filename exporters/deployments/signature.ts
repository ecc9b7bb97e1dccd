import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_RE = /^sha256=([0-9a-f]{64})$/;

/** GitHub's `X-Hub-Signature-256` of a raw body: "sha256=" and the hex HMAC-SHA256. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of an `X-Hub-Signature-256` header against the raw body. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const m = SIGNATURE_RE.exec(header.trim().toLowerCase());
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(m[1] as string, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A bearer-token check: the expected token's digest is computed once, each request's in constant time. */
export function tokenChecker(expected: string): (given: string) => boolean {
  const want = createHash('sha256').update(expected).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), want);
}
