import Transport from 'winston-transport';
import type { SegmentLog } from '../core/spool/segment-log';

const MESSAGE = Symbol.for('message');

type Info = Record<string | symbol, unknown>;

/** How a formatted record becomes one line: the spool prefixes the dataset, local files do not. */
export type LineFormat = (info: Info) => string;

const DATASET_RE = /[^a-z0-9_.]/g;

/** The data stream dataset of a record, made safe for an index name ("vigil.app" when absent). */
export function datasetOf(info: Info): string {
  const event = info.event as { dataset?: unknown } | undefined;
  const raw = typeof event?.dataset === 'string' && event.dataset !== '' ? event.dataset : 'vigil.app';
  return raw.toLowerCase().replace(DATASET_RE, '_').slice(0, 100);
}

function message(info: Info): string {
  const m = info[MESSAGE];
  return typeof m === 'string' ? m : JSON.stringify(info);
}

/** Spool line: "<dataset>\t<ECS JSON>"; the sender needs the dataset without parsing the record. */
export const spoolLine: LineFormat = (info) => `${datasetOf(info)}\t${message(info)}`;

/** Local NDJSON line: the ECS JSON exactly as the logger formatted it. */
export const plainLine: LineFormat = (info) => message(info);

export interface SpoolTransportOptions {
  readonly log: SegmentLog;
  readonly line: LineFormat;
  /** The append failed (disk full...): the record is lost and counted by the caller. */
  readonly onError: (err: Error, records: number) => void;
}

/**
 * The winston transport of the shipper. Each record is appended to the on-disk log (one write(2)
 * into the page cache) before its callback runs; when winston hands over several buffered
 * records at once (logv) they are written with one call. No timer, no in-memory queue.
 */
export class SpoolTransport extends Transport {
  readonly #opts: SpoolTransportOptions;

  constructor(opts: SpoolTransportOptions) {
    super({ level: undefined });
    this.#opts = opts;
  }

  /** Emits "logged" (winston's convention) once a record is on disk; nothing when it was dropped. */
  override log(info: Info, callback: () => void): void {
    let written = false;
    try {
      written = this.#opts.log.append([this.#opts.line(info)]);
    } catch (err) {
      this.#opts.onError(err instanceof Error ? err : new Error(String(err)), 1);
    }
    callback();
    if (written) this.emit('logged', info);
  }

  override logv(entries: { chunk: Info }[], callback: () => void): void {
    let written = false;
    try {
      written = this.#opts.log.append(entries.map((e) => this.#opts.line(e.chunk)));
    } catch (err) {
      this.#opts.onError(err instanceof Error ? err : new Error(String(err)), entries.length);
    }
    callback();
    if (written) for (const e of entries) this.emit('logged', e.chunk);
  }
}
