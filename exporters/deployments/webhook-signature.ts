import { verify } from '@octokit/webhooks-methods';
import type { Secret } from '../../core/secrets';

/**
 * GitHub's `X-Hub-Signature-256` check (HMAC-SHA256 of the body, compared in constant time) by
 * @octokit/webhooks-methods. The library takes the body as a string: GitHub sends UTF-8 JSON or
 * an ASCII form, so decoding loses nothing; a body that is not UTF-8 cannot match and is refused.
 * Hex case and surrounding spaces in the header do not matter; an empty body never matches.
 */
export async function verifyGithubSignature(secret: Secret, body: Buffer, header: string | undefined): Promise<boolean> {
  if (header === undefined || body.length === 0) return false;
  return verify(secret.reveal(), body.toString('utf8'), header.trim().toLowerCase());
}
