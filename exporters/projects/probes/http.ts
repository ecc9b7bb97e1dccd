import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HttpCheck, StatusRange } from '../config';
import { networkReason, secondsSince, type HttpDetails, type HttpPhase, type Probe, type ProbeResult } from './probe';

/** How much of a body is kept for body_contains / body_matches; the rest is read and dropped. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export function statusExpected(code: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((r) => code >= r.min && code <= r.max);
}

function describeRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min / 100}xx`)).join(', ');
}

/** Parses the leaf certificate's "valid_to" ("Nov 22 05:50:00 2036 GMT") to Unix seconds. */
function certExpiry(socket: TLSSocket): number | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || typeof cert.valid_to !== 'string') return undefined;
  const ms = Date.parse(cert.valid_to);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/**
 * One HTTP(S) request on a fresh connection (no keep-alive, so every phase is measured each time),
 * timed from the socket's events: dns (lookup), connect, tls (secureConnect), processing (until
 * the response headers) and transfer (until the body's end).
 */
export const probeHttp: Probe<HttpCheck> = (check, signal) => {
  const start = performance.now();
  const url = new URL(check.url);
  const tls = url.protocol === 'https:';
  const phases: Partial<Record<HttpPhase, number>> = {};
  let statusCode = 0;
  let certExpirySeconds: number | undefined;
  let mark = start;
  const phaseEnd = (phase: HttpPhase): void => {
    const now = performance.now();
    phases[phase] = (now - mark) / 1000;
    mark = now;
  };

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (success: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req?.destroy();
      const http: HttpDetails = { statusCode, phases, ...(certExpirySeconds !== undefined ? { certExpirySeconds } : {}) };
      resolve({ success, durationSeconds: secondsSince(start), reason, http });
    };
    const onAbort = (): void => finish(false, 'aborted');
    if (signal.aborted) {
      finish(false, 'aborted');
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    const headers: Record<string, string> = { 'user-agent': 'Vigil/0.1', connection: 'close', ...check.headers };
    if (check.body !== undefined) headers['content-length'] = String(Buffer.byteLength(check.body));
    const options = {
      method: check.method,
      headers,
      agent: false as const,
      ...(tls ? { rejectUnauthorized: check.tls_verify } : {}),
    };
    try {
      req = (tls ? httpsRequest : httpRequest)(url, options);
    } catch (err) {
      finish(false, networkReason(err));
      return;
    }

    req.once('socket', (socket: Socket) => {
      socket.once('lookup', () => phaseEnd('dns'));
      socket.once('connect', () => {
        phases.dns ??= 0;
        phaseEnd('connect');
        if (!tls) phases.tls = 0;
      });
      if (tls) {
        socket.once('secureConnect', () => {
          phaseEnd('tls');
          certExpirySeconds = certExpiry(socket as TLSSocket);
        });
      }
    });
    req.on('error', (err) => finish(false, networkReason(err)));
    req.once('response', (res: IncomingMessage) => {
      phaseEnd('processing');
      statusCode = res.statusCode ?? 0;
      const wantBody = check.body_contains !== undefined || check.body_matches !== undefined;
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (!wantBody || kept >= BODY_LIMIT_BYTES) return;
        const part = chunk.subarray(0, BODY_LIMIT_BYTES - kept);
        chunks.push(part);
        kept += part.length;
      });
      res.on('error', (err) => finish(false, networkReason(err)));
      res.once('close', () => {
        if (!res.complete) finish(false, 'connection closed before the response ended');
      });
      res.once('end', () => {
        phaseEnd('transfer');
        if (!statusExpected(statusCode, check.expected_status_codes)) {
          finish(false, `status code ${statusCode} is not one of ${describeRanges(check.expected_status_codes)}`);
          return;
        }
        if (wantBody) {
          const body = Buffer.concat(chunks, kept).toString('utf8');
          if (check.body_contains !== undefined && !body.includes(check.body_contains)) {
            finish(false, 'body does not contain the expected text');
            return;
          }
          if (check.body_matches !== undefined && !new RegExp(check.body_matches).test(body)) {
            finish(false, `body does not match /${check.body_matches}/`);
            return;
          }
        }
        finish(true, '');
      });
    });
    req.end(check.body);
  });
};
