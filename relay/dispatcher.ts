import { backoffDelay } from '../core/backoff';
import type { Limiter } from './limiter';
import type { Entry, NotificationQueue } from './queue';
import type { Outcome } from './robots/answer';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    }),
};

export interface DispatcherOptions {
  readonly queue: NotificationQueue;
  readonly limiter: Limiter;
  /** Renders the entries as one message (a digest when more than one) and sends it. */
  readonly send: (entries: readonly Entry[], signal: AbortSignal) => Promise<Outcome>;
  readonly clock: Clock;
  readonly maxDigest: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Called after every robot request with its outcome and how long it took. */
  readonly onRequest: (outcome: Outcome, entries: readonly Entry[], attempt: number, seconds: number) => void;
  /** An unexpected failure (the queue could not be read); the loop waits and goes on. */
  readonly onError: (err: unknown) => void;
}

export interface Dispatcher {
  /** Resolves when stopped; a request under way is aborted and its entries stay queued. */
  stop(): Promise<void>;
}

/**
 * How many queued notifications the next message carries: one at a time while the robot's rate limit
 * leaves room; with its last request in the window and more waiting, all of them (up to maxDigest)
 * in one digest, so that nothing waits behind the limit longer than it must and nothing is dropped.
 */
export function batchSize(queued: number, remaining: number, maxDigest: number): number {
  return queued > 1 && remaining <= 1 ? Math.min(queued, maxDigest) : 1;
}

/** Waits until the limiter allows a request; false when `signal` aborted meanwhile. */
export async function waitForSlot(limiter: Limiter, clock: Clock, signal: AbortSignal): Promise<boolean> {
  for (let wait = limiter.waitMs(clock.now()); wait > 0; wait = limiter.waitMs(clock.now())) {
    await clock.sleep(wait, signal);
    if (signal.aborted) return false;
  }
  return !signal.aborted;
}

/** One target's sender: takes entries from the queue in order, within the rate limit, until stopped. */
export function startDispatcher(opts: DispatcherOptions): Dispatcher {
  const { queue, limiter, clock } = opts;
  const abort = new AbortController();
  let wake: (() => void) | undefined;
  const unsubscribe = queue.onPush(() => wake?.());

  const waitForPush = (): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        wake = undefined;
        abort.signal.removeEventListener('abort', resolveOnAbort);
        resolve();
      };
      const resolveOnAbort = (): void => wake?.();
      abort.signal.addEventListener('abort', resolveOnAbort);
    });

  const slot = (): Promise<boolean> => waitForSlot(limiter, clock, abort.signal);

  const deliver = async (entries: readonly Entry[]): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      if (!(await slot())) return;
      limiter.record(clock.now());
      const started = performance.now();
      const outcome = await opts.send(entries, abort.signal);
      if (abort.signal.aborted && outcome.kind === 'retry') return;
      opts.onRequest(outcome, entries, attempt, (performance.now() - started) / 1000);
      if (outcome.kind !== 'retry') {
        queue.ack(entries.length, (entries[entries.length - 1] as Entry).next);
        return;
      }
      await clock.sleep(backoffDelay(attempt, opts.backoff.initialMs, opts.backoff.maxMs), abort.signal);
      if (abort.signal.aborted) return;
    }
  };

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      if (queue.length() === 0) {
        await waitForPush();
        continue;
      }
      if (!(await slot())) return;
      const entries = await queue.peek(batchSize(queue.length(), limiter.remaining(clock.now()), opts.maxDigest));
      if (entries.length === 0) {
        await waitForPush();
        continue;
      }
      await deliver(entries);
    }
  };
  const guarded = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        await run();
      } catch (err) {
        opts.onError(err);
        await clock.sleep(opts.backoff.initialMs, abort.signal);
      }
    }
  };
  const done = guarded();

  return {
    async stop() {
      abort.abort();
      unsubscribe();
      await done;
    },
  };
}
