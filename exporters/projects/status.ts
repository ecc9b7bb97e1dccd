/** A project's state: unknown until its first decisive run, then up or down. */
export type Status = 'unknown' | 'up' | 'down';

export interface Damped {
  readonly status: Status;
  /** Consecutive failed runs. */
  readonly failures: number;
}

/**
 * Flap damping: a project goes down only after `retries` consecutive failed runs and is up again
 * on the first run where every check passes. Before that many failures an unknown project stays
 * unknown and an up project stays up.
 */
export function nextStatus(prev: Damped, passed: boolean, retries: number): Damped {
  if (passed) return { status: 'up', failures: 0 };
  const failures = prev.failures + 1;
  return { status: failures >= retries ? 'down' : prev.status, failures };
}
