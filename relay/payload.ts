import { z } from 'zod';

/** An RFC 3339 time as Alertmanager writes it ("0001-01-01T00:00:00Z" is its zero time). */
const time = z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'expected an RFC 3339 time' });
const labelSet = z.record(z.string(), z.string());

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: time,
  endsAt: time,
  generatorURL: z.string().default(''),
  fingerprint: z.string().default(''),
});

/**
 * Alertmanager's webhook payload, version 4 (what `webhook_configs` sends). Unknown keys (a newer
 * Alertmanager's `truncatedAlerts`, say) are ignored rather than refused.
 */
export const payloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z.array(alertSchema).min(1),
});

export type Alert = z.output<typeof alertSchema>;
export type Payload = z.output<typeof payloadSchema>;

/** The payload, or the reasons it is not one ("alerts.0.startsAt: expected an RFC 3339 time"). */
export function parsePayload(body: unknown): { ok: true; payload: Payload } | { ok: false; problems: string[] } {
  const r = payloadSchema.safeParse(body);
  if (r.success) return { ok: true, payload: r.data };
  return { ok: false, problems: r.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`) };
}
