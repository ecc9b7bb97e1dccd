import type { z } from 'zod';
import { formatPath } from './config-error';
import { HttpError } from './http-server';

/** A 422 naming the bad field: `{"error": "<path>: <message>", "path": "<path>"}` ("body" for the whole body). */
export function unprocessable(message: string, path: readonly PropertyKey[] = []): HttpError {
  const at = formatPath(path);
  return new HttpError(422, `${at || 'body'}: ${message}`, { path: at });
}

/**
 * A request body (or one item of it, `at` its place in the body) through a zod schema: the parsed
 * value, or a 422 with the first problem's path and message. The one way a route refuses input
 * that is well-formed JSON but not what it expects.
 */
export function parseOr422<T>(schema: z.ZodType<T>, value: unknown, at: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw unprocessable(issue?.message ?? 'invalid', [...at, ...(issue?.path ?? [])]);
}
