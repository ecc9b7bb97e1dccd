/**
 * Exponential backoff with "equal jitter": attempt 0 waits between initial/2 and initial, each
 * attempt doubles it, capped at max (Filebeat: 1 s initial, 60 s max).
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return base / 2 + random() * (base / 2);
}
