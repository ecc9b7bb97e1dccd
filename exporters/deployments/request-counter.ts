import { HttpError } from '../../core/http-server';
import type { DeploymentMetrics, WebhookResult, WebhookSource } from './metrics';

/** vigil_webhook_requests_total: what became of each delivery and event, counted by the routes. */
export interface RequestCounter {
  count(source: WebhookSource, event: string, result: WebhookResult, n?: number): void;
  /**
   * Runs one phase of a request (read the body, parse, validate...); a client error (HttpError)
   * it throws is counted under `result` and rethrown.
   */
  phase<T>(source: WebhookSource, event: string, result: WebhookResult, run: () => T | Promise<T>): Promise<T>;
  /** Counts under `result` and throws the error: a request refused before any phase. */
  reject(source: WebhookSource, event: string, result: WebhookResult, err: HttpError): never;
}

export function createRequestCounter(metrics: DeploymentMetrics): RequestCounter {
  const count: RequestCounter['count'] = (source, event, result, n = 1) => {
    metrics.requests.inc({ source, event, result }, n);
    metrics.changed();
  };
  return {
    count,
    async phase(source, event, result, run) {
      try {
        return await run();
      } catch (err) {
        if (err instanceof HttpError) count(source, event, result);
        throw err;
      }
    },
    reject(source, event, result, err) {
      count(source, event, result);
      throw err;
    },
  };
}
