/** A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
  /** Changes the bound (a reload); waiting tasks start as slots open. */
  resize(limit: number): void;
}

export function createLimiter(initial: number): Limiter {
  if (!Number.isInteger(initial) || initial < 1) throw new Error(`limiter: expected a positive integer, got ${initial}`);
  let limit = initial;
  let active = 0;
  const queue: (() => void)[] = [];

  const pump = (): void => {
    while (active < limit && queue.length > 0) {
      active++;
      (queue.shift() as () => void)();
    }
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    resize(next) {
      if (!Number.isInteger(next) || next < 1) throw new Error(`limiter: expected a positive integer, got ${next}`);
      limit = next;
      pump();
    },
  };
}
