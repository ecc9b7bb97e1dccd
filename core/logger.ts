import winston from 'winston';
import { ecsFormat } from '@elastic/ecs-winston-format';
import type { LogLevel } from './config';

export type Logger = winston.Logger;

/** The dataset of every record that names none; each dataset becomes the data stream logs-<dataset>-<namespace>. */
export const APP_DATASET = 'vigil.app';

/** Every dataset Vigil writes with these parts: the app's and each part's own, once each. */
export function datasetsOf(parts: readonly { readonly dataset: string }[]): string[] {
  return [...new Set([APP_DATASET, ...parts.map((p) => p.dataset)])];
}

/**
 * Fills the ECS fields every record carries: service.name and event.dataset (vigil.app unless the
 * caller names another, e.g. a part's own `{ event: { dataset: DATASET, action: '...' } }`).
 * ecs-winston-format would set `event.dataset` as a dotted key beside a caller's nested `event`
 * object, which Elasticsearch reads as two values for one field, so it is set here instead.
 */
const vigilDefaults = winston.format((info) => {
  const event = (info.event ?? {}) as Record<string, unknown>;
  info.event = { ...event, dataset: event.dataset ?? APP_DATASET };
  const service = (info.service ?? {}) as Record<string, unknown>;
  info.service = { ...service, name: service.name ?? 'vigil' };
  return info;
});

export function ecsLogFormat(): winston.Logform.Format {
  return winston.format.combine(vigilDefaults(), ecsFormat({ apmIntegration: false, convertReqRes: false }));
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Extra transports (the log shipper adds its own); stdout is always there unless `silent`. */
  readonly transports?: winston.transport[];
  readonly silent?: boolean;
}

/** One logger for the whole process, passed to every part. Records are ECS JSON, one per line. */
export function createLogger(opts: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({ silent: opts.silent ?? false }),
    ...(opts.transports ?? []),
  ];
  return winston.createLogger({ level: opts.level, format: ecsLogFormat(), transports });
}

export function errorFields(err: unknown): { error: { message: string; type: string } } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { error: { message: e.message, type: e.name } };
}
