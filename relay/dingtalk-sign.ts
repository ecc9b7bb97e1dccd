import { createHmac } from 'node:crypto';

/**
 * DingTalk's robot signature: base64 of HMAC-SHA256 keyed by the secret over
 * `timestamp + "\n" + secret`, URL-encoded, with the timestamp in milliseconds.
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return encodeURIComponent(digest);
}

/** The robot URL with `timestamp` and `sign` appended (the URL keeps its access_token). */
export function signedUrl(url: string, secret: string | undefined, timestampMs: number): string {
  if (secret === undefined) return url;
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestampMs}&sign=${dingtalkSign(timestampMs, secret)}`;
}
