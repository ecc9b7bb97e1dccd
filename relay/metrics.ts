import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { byName, promOptions } from '../core/exposition';
import { RELAY_FAMILIES } from './families';

/** The relay's families (relay/families.ts) by name; the registry below is built from them. */
const F = byName(RELAY_FAMILIES);

/**
 * What became of notifications: accepted (queued), rejected (bad request, 4xx), refused (could not be
 * queued, 5xx), delivered (the robot took it, alone or in a digest), failed (the robot refused it
 * for good).
 */
export type NotificationResult = 'accepted' | 'rejected' | 'refused' | 'delivered' | 'failed';
/** What became of robot requests: ok, retry (to be sent again) or permanent (given up). */
export type RequestResult = 'ok' | 'retry' | 'permanent';

export interface RelayMetrics {
  notification(target: string, result: NotificationResult, n?: number): void;
  request(target: string, result: RequestResult, seconds: number, digest: boolean): void;
  render(): Promise<string>;
}

export interface QueueState {
  /** Every configured target with its queue length and the accept time of its oldest entry. */
  queues(): Iterable<{ target: string; length: number; oldest: number | undefined }>;
  now(): number;
}

export function createRelayMetrics(state: QueueState): RelayMetrics {
  const registry = new Registry();
  const notifications = new Counter({
    ...promOptions(F.vigil_notifications_total),
    registers: [registry],
  });
  const requests = new Counter({
    ...promOptions(F.vigil_notification_requests_total),
    registers: [registry],
  });
  const digests = new Counter({
    ...promOptions(F.vigil_notification_digests_total),
    registers: [registry],
  });
  const duration = new Histogram({
    ...promOptions(F.vigil_notification_duration_seconds),
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    ...promOptions(F.vigil_notification_queue_length),
    registers: [registry],
    collect() {
      this.reset();
      for (const q of state.queues()) this.set({ target: q.target }, q.length);
    },
  });
  new Gauge({
    ...promOptions(F.vigil_notification_oldest_queued_age_seconds),
    registers: [registry],
    collect() {
      this.reset();
      const now = state.now();
      for (const q of state.queues()) this.set({ target: q.target }, q.oldest === undefined ? 0 : Math.max(0, (now - q.oldest) / 1000));
    },
  });
  return {
    notification(target, result, n = 1) {
      notifications.inc({ target, result }, n);
    },
    request(target, result, seconds, digest) {
      requests.inc({ target, result });
      duration.observe({ target }, seconds);
      if (digest && result === 'ok') digests.inc({ target });
    },
    render: () => registry.metrics(),
  };
}
