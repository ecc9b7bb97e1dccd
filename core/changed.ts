import { isDeepStrictEqual } from 'node:util';

/**
 * Whether a part's section (or a piece of it) differs from before, so a reload keeps what did not
 * change. Deep and strict: RegExps compare by source and flags, Maps and Dates by content, which
 * JSON.stringify cannot do (it turns a RegExp into `{}`).
 */
export function changed(before: unknown, after: unknown): boolean {
  return !isDeepStrictEqual(before, after);
}
