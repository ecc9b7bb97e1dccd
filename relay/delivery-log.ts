import type { Entry } from './queue';
import type { Outcome } from './robots/answer';

/** A log record of the relay: level, message and ECS fields (event.dataset is added by the caller). */
export interface RelayRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

const MAX_NAMED = 5;

/** "HostDown firing, DiskFull resolved and 3 more": what a message carried, for the log. */
export function describeEntries(entries: readonly Entry[]): string {
  const names = [...new Set(entries.flatMap((e) => e.payload.alerts.map((a) => `${a.labels.alertname ?? '?'} ${a.status}`)))];
  const shown = names.slice(0, MAX_NAMED).join(', ');
  return names.length > MAX_NAMED ? `${shown} and ${names.length - MAX_NAMED} more` : shown;
}

/**
 * The record of one robot request, for the saved searches "Alert notifications" and "Failed alert
 * notifications" (elasticsearch/kibana/): delivered (info), sent again later (warn), refused for
 * good (error, with the robot's reason in event.reason).
 */
export function requestRecord(target: string, domain: string, outcome: Outcome, entries: readonly Entry[], attempt: number, seconds: number): RelayRecord {
  const count = entries.length;
  const what = `${count} notification${count === 1 ? '' : 's'} (${describeEntries(entries)})`;
  const fields = { vigil: { target, notifications: count, attempt }, url: { domain } };
  const event = { duration: Math.round(seconds * 1e9) };
  if (outcome.kind === 'ok') {
    return { level: 'info', message: `relay target ${target}: delivered ${what}`, fields: { ...fields, event: { ...event, action: 'relay-notification-delivered', outcome: 'success' } } };
  }
  if (outcome.kind === 'permanent') {
    return {
      level: 'error',
      message: `relay target ${target}: the robot refused ${what} for good: ${outcome.reason}`,
      fields: { ...fields, event: { ...event, action: 'relay-notification-failed', outcome: 'failure', reason: outcome.reason } },
    };
  }
  return {
    level: 'warn',
    message: `relay target ${target}: sending ${what} again later: ${outcome.reason}`,
    fields: { ...fields, event: { ...event, action: 'relay-notification-retry', outcome: 'failure', reason: outcome.reason } },
  };
}
