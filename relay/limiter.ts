/**
 * A sliding-window limit of robot requests: at most `limit` in any `windowMs`. Every request counts,
 * answered or not, since the robot counts what it receives.
 */
export interface Limiter {
  /** Requests still allowed now. */
  remaining(now: number): number;
  /** Milliseconds until one more request is allowed (0: now). */
  waitMs(now: number): number;
  record(now: number): void;
}

export interface LimiterOptions {
  /** Request times of a previous run (oldest first), so that a restart does not reset the window. */
  readonly sent?: readonly number[];
  /** Called after each recorded request with the times that matter (the last `limit`), to keep them. */
  readonly onRecord?: (sent: readonly number[]) => void;
}

export function createLimiter(limit: number, windowMs: number, opts: LimiterOptions = {}): Limiter {
  const sent: number[] = (opts.sent ?? []).slice(-limit);
  const expire = (now: number): void => {
    while (sent.length > 0 && (sent[0] as number) <= now - windowMs) sent.shift();
  };
  return {
    remaining(now) {
      expire(now);
      return Math.max(0, limit - sent.length);
    },
    waitMs(now) {
      expire(now);
      if (sent.length < limit) return 0;
      return (sent[sent.length - limit] as number) + windowMs - now;
    },
    record(now) {
      sent.push(now);
      if (sent.length > limit) sent.splice(0, sent.length - limit);
      opts.onRecord?.(sent.slice());
    },
  };
}
