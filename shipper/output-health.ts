import { backoffDelay } from '../core/backoff';
import type { Logger } from '../core/logger';
import type { FailureReporter } from './failure-report';

/**
 * The one connection-health state of the output, shared by every sender worker: after a failed
 * request all of them wait for the same backoff; a success resets it.
 */
export interface OutputHealth {
  failed(err: unknown): void;
  succeeded(): void;
  up(): boolean;
  /** Milliseconds to wait before the next request (0 when healthy). */
  waitMs(): number;
}

export interface OutputHealthOptions {
  readonly reporter: FailureReporter;
  readonly logger: Logger;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly now?: () => number;
}

export function createOutputHealth(opts: OutputHealthOptions): OutputHealth {
  const now = opts.now ?? Date.now;
  let isUp = false;
  let failures = 0;
  let retryAt = 0;
  const setUp = (up: boolean): void => {
    if (up === isUp) return;
    isUp = up;
    if (up) opts.logger.info('Elasticsearch output is up', { event: { action: 'shipper-up' } });
  };
  return {
    failed(err) {
      setUp(false);
      opts.reporter.failed(err);
      retryAt = now() + backoffDelay(failures++, opts.backoffInitialMs, opts.backoffMaxMs);
    },
    succeeded() {
      opts.reporter.succeeded();
      failures = 0;
      retryAt = 0;
      setUp(true);
    },
    up: () => isUp,
    waitMs: () => retryAt - now(),
  };
}
