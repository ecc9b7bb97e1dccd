import { z } from 'zod';

/** Config values several parts validate the same way. */

/** An absolute http:// or https:// URL with a host. */
export const httpUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected an http:// or https:// URL' },
);

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Request headers whose values may hold secrets through ${ENV}; never logged or shown. */
export const headersSchema = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((headers, ctx) => {
    for (const key of Object.keys(headers)) {
      if (!HEADER_NAME_RE.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'expected an HTTP header name' });
    }
  });
