/**
 * One request to a component (Grafana, Prometheus...): bounded by a timeout and a size, never
 * throwing. A failure is a short reason for the page ("timed out after 2s", "HTTP 503",
 * "connection refused", "not JSON"), never the URL or a header.
 */
export type Fetched = { readonly ok: true; readonly status: number; readonly body: unknown; readonly text: string } | { readonly ok: false; readonly reason: string };

/** The most of an answer that is read; a component answering more is treated as broken. */
const MAX_BYTES = 8 * 1024 * 1024;

const reasonOf = (err: unknown, timeoutMs: number): string => {
  const e = err as Error & { cause?: { code?: string; message?: string; errors?: { code?: string }[] } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs / 1000}s`;
  const code = e.cause?.code ?? e.cause?.errors?.[0]?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    default:
      return code ?? e.cause?.message ?? e.message;
  }
};

async function readLimited(res: Response, signal: AbortSignal): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new Error(`answer larger than ${MAX_BYTES} bytes`);
    if (signal.aborted) throw signal.reason as Error;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GET `url`; `json` false reads only the status (for /-/healthy). */
export async function fetchComponent(url: string, opts: { timeoutMs: number; headers?: Readonly<Record<string, string>>; json?: boolean }): Promise<Fetched> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(url, { headers: { accept: 'application/json', ...opts.headers }, signal, redirect: 'manual' });
    const text = await readLimited(res, signal);
    if (res.status < 200 || res.status > 299) return { ok: false, reason: `HTTP ${res.status}` };
    if (opts.json === false) return { ok: true, status: res.status, body: undefined, text };
    try {
      return { ok: true, status: res.status, body: JSON.parse(text) as unknown, text };
    } catch {
      return { ok: false, reason: 'answered something that is not JSON' };
    }
  } catch (err) {
    return { ok: false, reason: reasonOf(err, opts.timeoutMs) };
  }
}

/** A value at a path of an unknown JSON body, or undefined. */
export function pick(body: unknown, ...path: string[]): unknown {
  let v = body;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export const pickString = (body: unknown, ...path: string[]): string | undefined => {
  const v = pick(body, ...path);
  return typeof v === 'string' ? v : undefined;
};

/** Reuses each key's answer for `ttlMs` and shares one request among concurrent callers. */
export function createCache(ttlMs: () => number, now: () => number = Date.now) {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttlMs()) return hit.value as Promise<T>;
      const value = load();
      entries.set(key, { at: now(), value });
      return value;
    },
    clear: () => entries.clear(),
  };
}
