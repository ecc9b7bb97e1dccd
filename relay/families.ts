import { defineFamilies } from '../core/exposition';

/**
 * The relay's families, declared once: relay/metrics.ts builds its prom-client registry from them
 * (`promOptions`); test/core/families.test.ts checks a running relay against this list.
 */
export const RELAY_FAMILIES = defineFamilies([
  {
    name: 'vigil_notifications_total',
    type: 'counter',
    help: 'Alertmanager notifications by target and result (accepted, rejected, refused, delivered, failed).',
    labels: ['target', 'result'],
  },
  { name: 'vigil_notification_requests_total', type: 'counter', help: 'Robot requests by target and result (ok, retry, permanent).', labels: ['target', 'result'] },
  { name: 'vigil_notification_digests_total', type: 'counter', help: 'Robot messages that merged several notifications because of the rate limit.', labels: ['target'] },
  { name: 'vigil_notification_duration_seconds', type: 'histogram', help: 'Time of one robot request, from sending to its answer (or timeout).', labels: ['target'] },
  { name: 'vigil_notification_queue_length', type: 'gauge', help: 'Notifications accepted and not yet delivered or given up, by target.', labels: ['target'] },
  { name: 'vigil_notification_oldest_queued_age_seconds', type: 'gauge', help: 'Age of the oldest notification still queued, by target (0 when none is).', labels: ['target'] },
]);
