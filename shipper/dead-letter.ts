import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Rejection {
  /** The record's _id and the data stream it was meant for. */
  readonly id: string;
  readonly index: string;
  readonly status: number;
  readonly errorType: string;
  readonly reason: string;
  /** The record as it was sent. */
  readonly original: string;
}

export const DEAD_LETTER_DATASET = 'vigil.dead_letter';

/** The ECS document written for a rejected record, to the file and to the dead-letter data stream. */
export function deadLetterDocument(r: Rejection, now = new Date()): Record<string, unknown> {
  return {
    '@timestamp': now.toISOString(),
    message: `record rejected by Elasticsearch (${r.status} ${r.errorType}): ${r.reason}`,
    log: { level: 'error' },
    event: { dataset: DEAD_LETTER_DATASET, kind: 'event', outcome: 'failure', reason: r.reason },
    error: { type: r.errorType, message: r.reason },
    service: { name: 'vigil' },
    vigil: { shipper: { id: r.id, index: r.index, status: r.status, original: r.original } },
  };
}

export interface DeadLetterFile {
  readonly path: string;
  write(rejections: readonly Rejection[]): void;
  close(): void;
}

/** Appends rejected records as NDJSON; past maxBytes the file is renamed to <path>.1 (one old file kept). */
export function openDeadLetterFile(path: string, maxBytes: number): DeadLetterFile {
  mkdirSync(dirname(path), { recursive: true });
  let fd = openSync(path, 'a');
  let size = fstatSync(fd).size;
  return {
    path,
    write(rejections) {
      if (rejections.length === 0) return;
      const text = rejections.map((r) => JSON.stringify(deadLetterDocument(r))).join('\n') + '\n';
      const len = Buffer.byteLength(text);
      if (size > 0 && size + len > maxBytes) {
        closeSync(fd);
        renameSync(path, `${path}.1`);
        fd = openSync(path, 'a');
        size = 0;
      }
      writeSync(fd, text);
      size += len;
    },
    close() {
      closeSync(fd);
    },
  };
}
