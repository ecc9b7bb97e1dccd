/** A repeating job started by `every`; stop() clears its timers (a run already going finishes). */
export interface Schedule {
  stop(): void;
}

export interface EveryOptions {
  /** Each schedule starts at a random phase in [0, jitterMs), so schedules created together do not fire together. */
  readonly jitterMs?: number;
  /** Math.random unless a test injects its own. */
  readonly random?: () => number;
}

/**
 * Runs `run` every `intervalMs` (any interval: 90s, 7m...), the first time one interval plus the
 * random phase after the call. Plain timers, unref'd: a schedule never keeps the process alive.
 */
export function every(intervalMs: number, run: () => void, opts: EveryOptions = {}): Schedule {
  if (!(intervalMs > 0)) throw new RangeError(`expected an interval above zero, got ${intervalMs} ms`);
  const phase = Math.floor((opts.random ?? Math.random)() * (opts.jitterMs ?? 0));
  let repeat: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    repeat = setInterval(run, intervalMs);
    repeat.unref();
    run();
  }, intervalMs + phase);
  first.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(repeat);
    },
  };
}

/** The jitter window for an interval: a tenth of it, at most 10 s (Prometheus spreads scrapes likewise). */
export function jitterFor(intervalMs: number): number {
  return Math.min(intervalMs / 10, 10_000);
}
