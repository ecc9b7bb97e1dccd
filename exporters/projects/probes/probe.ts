/**
 * One probe function type for every protocol, as in blackbox_exporter: a probe gets the check's
 * validated config and an AbortSignal (the check's timeout, or Vigil stopping) and always resolves
 * — a failed check is a result with success false and a reason, never a rejection.
 */

export const HTTP_PHASES = ['dns', 'connect', 'tls', 'processing', 'transfer'] as const;
export type HttpPhase = (typeof HTTP_PHASES)[number];

export interface HttpDetails {
  /** 0 when no response arrived (refused, timed out, TLS failure), as blackbox_exporter does. */
  readonly statusCode: number;
  /** Seconds per phase reached; "tls" is 0 for plain HTTP. */
  readonly phases: Partial<Record<HttpPhase, number>>;
  /** notAfter of the leaf certificate, in Unix seconds, when a TLS handshake completed. */
  readonly certExpirySeconds?: number;
}

export interface ProcessDetails {
  readonly count: number;
  /** user + system CPU time of every matched process. */
  readonly cpuSeconds: number;
  readonly residentBytes: number;
}

export interface ProbeResult {
  readonly success: boolean;
  readonly durationSeconds: number;
  /** Why the check failed, "" when it passed. Never holds URLs, headers or other secrets. */
  readonly reason: string;
  readonly http?: HttpDetails;
  readonly process?: ProcessDetails;
}

export type Probe<C> = (check: C, signal: AbortSignal) => Promise<ProbeResult>;

/** Seconds since a performance.now() reading. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** A short, secret-free reason for a network error (Node's messages repeat host and port). */
export function networkReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed (${e.code})`;
    case 'EPIPE':
      return 'connection closed by peer';
    default:
      break;
  }
  if (typeof e.code === 'string' && (e.code.includes('CERT') || e.code.startsWith('ERR_TLS') || e.code.startsWith('ERR_SSL'))) {
    return `TLS: ${e.message}`;
  }
  if (typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.message : String(err);
}
