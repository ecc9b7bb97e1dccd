/** What became of one robot request. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'permanent'; readonly reason: string };

/** errcodes that mean "later": DingTalk's rate limits, WeCom's frequency limit, "system busy". */
const RETRY_CODES: Record<number, string> = {
  [-1]: 'robot service busy',
  130101: 'rate limited (more than 20 messages a minute)',
  410100: 'rate limited',
  45009: 'rate limited (API frequency out of limit)',
  45033: 'rate limited (too many concurrent calls)',
};

/**
 * Known permanent errcodes, for the log (any other non-zero errcode is permanent too, with the
 * robot's errmsg): sending again cannot succeed until someone changes the robot or the config.
 */
const PERMANENT_CODES: Record<number, string> = {
  310000: 'security check failed (signature, keyword or IP)',
  300001: 'invalid token',
  400101: 'access_token does not exist',
  400102: 'robot is disabled',
  400105: 'unsupported message type',
  400106: 'robot does not exist',
  40035: 'invalid parameter',
  40058: 'invalid request parameter (content too long?)',
  93000: 'invalid webhook URL (key)',
  93004: 'robot is disabled',
  93008: 'robot is not in the group',
};

/** Reads an answer of a DingTalk or WeCom robot (both: HTTP 200 with `{"errcode":0,"errmsg":"ok"}`). */
export function classifyAnswer(status: number, body: string): Outcome {
  if (status === 429 || status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { kind: 'permanent', reason: `HTTP ${status}: ${body.slice(0, 200)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'retry', reason: `HTTP ${status} with a body that is not JSON` };
  }
  const code = (parsed as { errcode?: unknown } | null)?.errcode;
  const errmsg = (parsed as { errmsg?: unknown } | null)?.errmsg;
  const msg = typeof errmsg === 'string' ? errmsg.slice(0, 300) : '';
  if (code === 0) return { kind: 'ok' };
  if (typeof code !== 'number') return { kind: 'retry', reason: `HTTP ${status} without an errcode` };
  const retry = RETRY_CODES[code];
  if (retry !== undefined) return { kind: 'retry', reason: `errcode ${code}: ${retry}${msg ? ` (${msg})` : ''}` };
  return { kind: 'permanent', reason: `errcode ${code}: ${PERMANENT_CODES[code] ?? 'refused'}${msg ? ` (${msg})` : ''}` };
}

/** A request that got no answer (refused, reset, timed out) is tried again. */
export function classifyError(err: unknown): Outcome {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'retry', reason: 'timed out' };
  return { kind: 'retry', reason: e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(err) };
}
