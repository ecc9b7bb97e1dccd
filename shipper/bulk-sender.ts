import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Client, estypes } from '@elastic/elasticsearch';
import { errorFields, type Logger } from '../core/logger';
import { backoffDelay } from '../core/backoff';
import { DEAD_LETTER_DATASET, deadLetterDocument, type DeadLetterFile, type Rejection } from './dead-letter';
import type { FailureReporter } from './failure-report';
import type { ShipperMetrics } from './metrics';
import type { LogRecord, Position, SegmentLog } from '../core/spool/segment-log';

export interface BulkSenderOptions {
  readonly log: SegmentLog;
  readonly client: Client;
  readonly namespace: string;
  readonly maxBytes: number;
  readonly maxRecords: number;
  readonly flushIntervalMs: number;
  readonly concurrency: number;
  /** Compress _bulk request bodies (gzip level 1). */
  readonly gzip: boolean;
  /** Per request; a request still unanswered then is abandoned and retried (same _ids). */
  readonly timeoutMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly deadLetter: DeadLetterFile;
  /** Also index rejected records into logs-vigil.dead_letter-<namespace> (best effort). */
  readonly deadLetterDataStream: boolean;
  readonly metrics: ShipperMetrics;
  readonly logger: Logger;
  /** Hears of every failed and every successful request; logs the reasons (failure-report.ts). */
  readonly reporter: FailureReporter;
  /** Runs (and is retried with backoff) before the first bulk request: template installation. */
  readonly prepare: (signal: AbortSignal) => Promise<void>;
}

export interface BulkSender {
  start(): void;
  /** Sends what it can until the deadline; the rest stays in the spool. */
  stop(deadlineMs: number): Promise<void>;
  up(): boolean;
  /** Bytes of records read from the spool and not yet acknowledged (in memory). */
  inFlightBytes(): number;
}

interface Item {
  readonly id: string;
  readonly index: string;
  /** The ECS JSON as read from the spool (a view into the read buffer). */
  readonly doc: Buffer;
}

interface Batch {
  readonly start: Position;
  readonly bytes: number;
  readonly items: Item[];
  done: boolean;
}

class Aborted extends Error {}

const gzipAsync = promisify(gzip);

/** The _id of a record: the spool's id and the record's place in it, so a replay is a 409. */
export function recordId(logId: string, r: LogRecord): string {
  return `${logId}-${r.segment}-${r.offset}`;
}

export function dataStreamName(dataset: string, namespace: string): string {
  return `logs-${dataset}-${namespace}`;
}

const TAB = 9;

function toItem(logId: string, namespace: string, r: LogRecord): Item {
  const tab = r.data.indexOf(TAB);
  // A spool line is "<dataset>\t<json>"; datasets are short ASCII (see spool-transport.ts).
  const dataset = tab > 0 && tab <= 100 ? r.data.toString('latin1', 0, tab) : 'vigil.app';
  return { id: recordId(logId, r), index: dataStreamName(dataset, namespace), doc: tab > 0 && tab <= 100 ? r.data.subarray(tab + 1) : r.data };
}

/** The HTTP status of the client's ResponseError (matched by name: the client is loaded lazily). */
function statusOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || err.name !== 'ResponseError') return undefined;
  const status = (err as Error & { meta?: { statusCode?: unknown } }).meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function reasonOf(error: estypes.ErrorCause | undefined): { type: string; reason: string } {
  if (!error) return { type: 'unknown', reason: 'no error object in the response' };
  const cause = error.caused_by ? `; caused by ${error.caused_by.type}: ${error.caused_by.reason ?? ''}` : '';
  return { type: error.type, reason: `${error.reason ?? ''}${cause}` };
}

/**
 * Reads batches from the spool and writes them with `_bulk` `create` operations, handling each
 * item as Filebeat does: 2xx and 409 are delivered, 429 and 5xx are retried with backoff, any other
 * status is a permanent rejection (dead letter). Only items that still need it are re-sent. The
 * checkpoint advances past a batch when it and every batch before it are settled.
 */
export function createBulkSender(opts: BulkSenderOptions): BulkSender {
  const { log, client, metrics, logger } = opts;
  const controller = new AbortController();
  const signal = controller.signal;
  let readPos: Position = log.checkpoint();
  const inflight: Batch[] = [];
  let reading = false;
  let caughtUp = false;
  let prepared = false;
  let stopping = false;
  let pendingRecords = 0;
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let isUp = false;
  let failures = 0;
  let retryAt = 0;
  let drained: (() => void) | undefined;

  const prefixes = new Map<string, string>();
  const actionPrefix = (index: string): string => {
    let p = prefixes.get(index);
    if (p === undefined) {
      p = `{"create":{"_index":${JSON.stringify(index)},"_id":"`;
      if (prefixes.size < 1000) prefixes.set(index, p);
    }
    return p;
  };

  /** The NDJSON body in one buffer: action lines written in, documents copied from the spool's read buffers. */
  const bulkBody = (items: readonly Item[]): Buffer => {
    const actions = items.map((it) => `${actionPrefix(it.index)}${it.id}"}}\n`);
    let size = 0;
    for (let i = 0; i < items.length; i++) size += (actions[i] as string).length + (items[i] as Item).doc.length + 1;
    const body = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < items.length; i++) {
      at += body.write(actions[i] as string, at, 'latin1');
      at += (items[i] as Item).doc.copy(body, at);
      body[at++] = 10;
    }
    return body;
  };

  const setUp = (up: boolean): void => {
    if (up === isUp) return;
    isUp = up;
    if (up) logger.info('Elasticsearch output is up', { event: { action: 'shipper-up' } });
  };

  /** The one connection-health state: every worker waits for the shared backoff. */
  const failed = (err: unknown): void => {
    setUp(false);
    opts.reporter.failed(err);
    retryAt = Date.now() + backoffDelay(failures++, opts.backoffInitialMs, opts.backoffMaxMs);
  };
  const succeeded = (): void => {
    opts.reporter.succeeded();
    failures = 0;
    retryAt = 0;
    setUp(true);
  };
  const pause = async (ms: number): Promise<void> => {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new Aborted();
    }
  };
  const waitHealthy = (): Promise<void> => pause(retryAt - Date.now());

  const settle = (): void => {
    while (inflight[0]?.done) inflight.shift();
    log.ack(inflight[0]?.start ?? readPos);
    if (drained && inflight.length === 0 && caughtUp) drained();
  };

  const deadLetter = async (rejected: Rejection[]): Promise<void> => {
    if (rejected.length === 0) return;
    try {
      opts.deadLetter.write(rejected);
    } catch (err) {
      logger.error('cannot write the dead-letter file', { ...errorFields(err), file: { path: opts.deadLetter.path } });
    }
    metrics.count('dead_lettered', rejected.length);
    logger.warn(`${rejected.length} log records permanently rejected by Elasticsearch; kept in the dead-letter file`, {
      event: { action: 'shipper-dead-letter', reason: rejected[0]?.reason },
      file: { path: opts.deadLetter.path },
    });
    if (!opts.deadLetterDataStream) return;
    const index = dataStreamName(DEAD_LETTER_DATASET, opts.namespace);
    const operations: unknown[] = [];
    for (const r of rejected) operations.push({ create: { _index: index, _id: r.id } }, deadLetterDocument(r));
    try {
      await client.bulk({ operations }, { signal });
    } catch {
      // best effort: the file has the record
    }
  };

  /** Sends items until each is delivered or rejected; throws Aborted when stopped. */
  const sendItems = async (items: Item[]): Promise<void> => {
    let pending = items;
    let attempt = 0;
    while (pending.length > 0) {
      await waitHealthy();
      const ndjson = bulkBody(pending);
      let res: estypes.BulkResponse;
      try {
        // gzip level 1 as Filebeat does (the client's own compression uses level 6: several times slower).
        const body = opts.gzip ? await gzipAsync(ndjson, { level: 1 }) : ndjson;
        res = await client.transport.request<estypes.BulkResponse>(
          { method: 'POST', path: '/_bulk', bulkBody: body },
          {
            ...(opts.gzip ? { headers: { 'content-encoding': 'gzip' } } : {}),
            // undici's own timeouts tick at about one second; this one is exact.
            signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
          },
        );
      } catch (err) {
        if (signal.aborted) throw new Aborted();
        const status = statusOf(err);
        if (status === 413 || status === 400) {
          // Too large or unparseable as a whole: split until the culprit stands alone.
          if (pending.length === 1) {
            const it = pending[0] as Item;
            const type = status === 413 ? 'request_entity_too_large' : 'bad_request';
            await deadLetter([{ id: it.id, index: it.index, status, errorType: type, reason: `the whole bulk request was refused with ${status}`, original: it.doc.toString('utf8') }]);
            return;
          }
          const half = Math.ceil(pending.length / 2);
          await sendItems(pending.slice(0, half));
          await sendItems(pending.slice(half));
          return;
        }
        metrics.count('retried', pending.length);
        failed(err);
        continue;
      }
      const retry: Item[] = [];
      const rejected: Rejection[] = [];
      let acked = 0;
      for (let i = 0; i < pending.length; i++) {
        const it = pending[i] as Item;
        const entry = res.items[i];
        const result = entry?.create ?? entry?.index;
        const status = result?.status;
        if (status === undefined) retry.push(it);
        else if ((status >= 200 && status < 300) || status === 409) acked++;
        else if (status === 429 || status >= 500) retry.push(it);
        else {
          const { type, reason } = reasonOf(result?.error);
          rejected.push({ id: it.id, index: it.index, status, errorType: type, reason, original: it.doc.toString('utf8') });
        }
      }
      // Only now: a response without per-item results throws above and counts as a failure.
      succeeded();
      metrics.count('acked', acked);
      metrics.count('retried', retry.length);
      await deadLetter(rejected);
      pending = retry;
      if (retry.length > 0) await pause(backoffDelay(attempt++, opts.backoffInitialMs, opts.backoffMaxMs));
    }
  };

  const send = async (batch: Batch): Promise<void> => {
    try {
      for (;;) {
        try {
          await sendItems(batch.items);
          break;
        } catch (err) {
          if (err instanceof Aborted) throw err;
          // Unexpected (e.g. a response without per-item results): a retryable failure of the whole
          // batch, re-sent after the shared backoff; items already stored come back as 409s.
          logger.error('log shipping failed unexpectedly; the batch is retried', errorFields(err));
          metrics.count('retried', batch.items.length);
          failed(err);
        }
      }
      batch.done = true;
      settle();
    } catch {
      // Aborted: stopped; the batch stays in the spool for the next sender.
    } finally {
      if (!stopping || drained) schedule();
    }
  };

  const pump = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (!signal.aborted && prepared && !reading && inflight.length < opts.concurrency) {
      reading = true;
      pendingRecords = 0;
      pendingBytes = 0;
      let r;
      try {
        r = await log.read(readPos, opts.maxBytes, opts.maxRecords);
      } finally {
        reading = false;
      }
      readPos = r.next;
      log.markRead(readPos);
      const first = r.records[0];
      if (!first) {
        caughtUp = true;
        settle();
        return;
      }
      const end = log.end();
      // A short read at the end of a segment is not the end of the log.
      caughtUp = r.next.segment >= end.segment && r.next.offset >= end.offset;
      const batch: Batch = {
        start: { segment: first.segment, offset: first.offset },
        bytes: r.bytes,
        items: r.records.map((rec) => toItem(log.id, opts.namespace, rec)),
        done: false,
      };
      inflight.push(batch);
      void send(batch);
      if (caughtUp && !drained) return;
    }
  };

  const run = (): void => {
    pump().catch((err: unknown) => logger.error('cannot read the log spool', errorFields(err)));
  };

  function schedule(): void {
    if (signal.aborted || !prepared) return;
    if (drained || !caughtUp || pendingRecords >= opts.maxRecords || pendingBytes >= opts.maxBytes / 2) run();
    else if (pendingRecords > 0 && !timer) timer = setTimeout(run, opts.flushIntervalMs);
  }

  const unsubscribe = log.onAppend((records, bytes) => {
    pendingRecords += records;
    pendingBytes += bytes;
    if (!reading && inflight.length < opts.concurrency) schedule();
  });

  const prepare = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await waitHealthy();
        await opts.prepare(signal);
        succeeded();
        prepared = true;
        schedule();
        return;
      } catch (err) {
        if (signal.aborted || err instanceof Aborted) return;
        failed(err);
      }
    }
  };

  return {
    start() {
      caughtUp = false;
      void prepare();
    },
    async stop(deadlineMs) {
      stopping = true;
      const done = new Promise<void>((resolve) => {
        drained = resolve;
      });
      if (prepared) {
        if (inflight.length === 0 && caughtUp && pendingRecords === 0) drained?.();
        else run();
      } else drained?.();
      const deadline = setTimeout(() => controller.abort(), deadlineMs);
      await Promise.race([done, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
      clearTimeout(deadline);
      controller.abort();
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = undefined;
      settle();
    },
    up: () => isUp,
    inFlightBytes: () => inflight.reduce((sum, b) => sum + b.bytes, 0),
  };
}
