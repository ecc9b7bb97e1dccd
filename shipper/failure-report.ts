import type { Logger } from '../core/logger';

/** Why the last request to Elasticsearch failed, as the status endpoint and the log show it. */
export interface OutputError {
  /** ISO 8601 time of the failure. */
  readonly at: string;
  /** One line: status, error type and reason, or the network error. */
  readonly summary: string;
  /** The HTTP status Elasticsearch answered with, when it answered. */
  readonly status?: number;
  /** Elasticsearch's error.type, and its caused_by.type when there is one. */
  readonly type?: string;
  readonly reason?: string;
  /** The network error code (ECONNREFUSED, ENOTFOUND, ...) when there was no answer. */
  readonly code?: string;
  /** The client's error class: ResponseError, ConnectionError, TimeoutError... */
  readonly error: string;
}

interface EsErrorBody {
  readonly error?: { type?: unknown; reason?: unknown; caused_by?: { type?: unknown; reason?: unknown } } | string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Replaces every secret (credentials) in `s`; a reason can quote a user name. */
function redact(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

/** The reason of a failed request, from the client's error object (matched by name: the client loads lazily). */
export function describeFailure(err: unknown, secrets: readonly string[], at: Date): OutputError {
  const e = err instanceof Error ? err : new Error(String(err));
  const meta = (e as Error & { meta?: { statusCode?: unknown; body?: unknown } }).meta;
  const status = typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
  const base = { at: at.toISOString(), error: e.name };
  if (e.name === 'ResponseError' && status !== undefined) {
    const body = (meta?.body ?? {}) as EsErrorBody;
    const error = body.error;
    const type = typeof error === 'object' ? text(error.type) : undefined;
    const causeType = typeof error === 'object' ? text(error.caused_by?.type) : undefined;
    const reasons = typeof error === 'object' ? [text(error.reason), text(error.caused_by?.reason)].filter((r) => r !== undefined) : [text(error)].filter((r) => r !== undefined);
    const reason = reasons.length > 0 ? redact(reasons.join('; caused by: '), secrets) : undefined;
    const fullType = type && causeType ? `${type} (${causeType})` : type;
    const summary = `HTTP ${status}${fullType ? ` ${fullType}` : ''}${reason ? `: ${reason}` : ''}`;
    return { ...base, summary, status, ...(fullType ? { type: fullType } : {}), ...(reason ? { reason } : {}) };
  }
  const message = redact(e.message, secrets);
  const code = (e as NodeJS.ErrnoException).code ?? /\b(E[A-Z][A-Z0-9_]{2,})\b/.exec(message)?.[1];
  return { ...base, summary: `${e.name}${code ? ` ${code}` : ''}: ${message}`, reason: message, ...(code ? { code } : {}) };
}

export interface FailureReporter {
  /** A request failed: the first failure of a run of them is logged at once, then at most once per interval. */
  failed(err: unknown): void;
  /** A request succeeded: the run of failures ends (the next failure is logged at once again). */
  succeeded(): void;
  /** The last failure, kept after a success so the status endpoint can show what happened. */
  last(): OutputError | undefined;
  /** Failures since the last success. */
  failing(): number;
}

export interface FailureReporterOptions {
  readonly logger: Logger;
  /** Credentials to keep out of logged reasons. */
  readonly secrets: readonly string[];
  /** At most one "still down" line per this many ms while failures go on (read at each failure: a reload may change it). */
  readonly interval: () => number;
  readonly now: () => number;
}

/**
 * Logs why Elasticsearch cannot be reached: the shipper starts "down", so a log line only on a
 * change of state would say nothing when the very first request fails (wrong credentials, a
 * refused connection, a media-type refusal). Here the first failure is always logged with its
 * reason, and a summary follows at a bounded rate for as long as the failures go on.
 */
export function createFailureReporter(opts: FailureReporterOptions): FailureReporter {
  let last: OutputError | undefined;
  let failing = 0;
  let firstAt = 0;
  let loggedAt = 0;
  let unlogged = 0;
  const fields = (e: OutputError, action: string): Record<string, unknown> => ({
    event: { action, reason: e.summary },
    error: { type: e.error, message: e.summary, ...(e.code ? { code: e.code } : {}) },
    ...(e.status !== undefined ? { http: { response: { status_code: e.status } } } : {}),
    vigil: { shipper: { failures: failing, ...(e.type ? { error_type: e.type } : {}) } },
  });
  return {
    failed(err) {
      const now = opts.now();
      last = describeFailure(err, opts.secrets, new Date(now));
      failing++;
      if (failing === 1) {
        firstAt = now;
        loggedAt = now;
        unlogged = 0;
        opts.logger.warn(`Elasticsearch output is down; records stay in the spool: ${last.summary}`, fields(last, 'shipper-down'));
        return;
      }
      unlogged++;
      if (now - loggedAt < opts.interval()) return;
      loggedAt = now;
      const since = new Date(firstAt).toISOString();
      opts.logger.warn(`Elasticsearch output still down: ${failing} failed requests since ${since} (${unlogged} since the last line); last: ${last.summary}`, fields(last, 'shipper-still-down'));
      unlogged = 0;
    },
    succeeded() {
      failing = 0;
    },
    last: () => last,
    failing: () => failing,
  };
}
