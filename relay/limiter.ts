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

export function createLimiter(limit: number, windowMs: number): Limiter {
  const sent: number[] = [];
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
    },
  };
}
