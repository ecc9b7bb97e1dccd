import { errorFields } from '../../core/logger';
import type { CheckConfig } from './config';
import { secondsSince, type Probe, type ProbeResult } from './probes/probe';

export interface Probes {
  readonly http: Probe<Extract<CheckConfig, { type: 'http' }>>;
  readonly tcp: Probe<Extract<CheckConfig, { type: 'tcp' }>>;
  readonly process: Probe<Extract<CheckConfig, { type: 'process' }>>;
}

/**
 * One check under its timeout: a hanging target costs at most `timeout`, whatever the probe
 * does; `run` aborts it early (stop, reload). Always resolves, a failure being a result.
 */
export async function runCheck(probes: Probes, check: CheckConfig, run: AbortSignal): Promise<ProbeResult> {
  if (run.aborted) return { success: false, durationSeconds: 0, reason: 'cancelled' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, check.timeout);
  const cancel = (): void => controller.abort();
  run.addEventListener('abort', cancel, { once: true });
  const start = performance.now();
  // If a probe ignored the signal, this answers for it one event-loop turn after the abort.
  const deadline = new Promise<ProbeResult>((resolve) => {
    controller.signal.addEventListener('abort', () => setImmediate(() => resolve({ success: false, durationSeconds: secondsSince(start), reason: 'aborted' })), { once: true });
  });
  try {
    const probe = probes[check.type] as Probe<CheckConfig>;
    const result = await Promise.race([
      probe(check, controller.signal).catch((err: unknown): ProbeResult => ({ success: false, durationSeconds: secondsSince(start), reason: errorFields(err).error.message })),
      deadline,
    ]);
    if (timedOut) return { ...result, success: false, reason: `timed out after ${check.timeout / 1000}s` };
    if (run.aborted) return { ...result, success: false, reason: 'cancelled' };
    return result;
  } finally {
    clearTimeout(timer);
    run.removeEventListener('abort', cancel);
  }
}
