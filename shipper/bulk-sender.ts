import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Client, estypes } from '@elastic/elasticsearch';
import { classifyBulkItems, createBulkBody, dataStreamName, statusOf, toItem, type Item } from './bulk-items';
import { errorFields, type Logger } from '../core/logger';
import { backoffDelay } from '../core/backoff';
import { createOutputHealth } from './output-health';
import { DEAD_LETTER_DATASET, deadLetterDocument, type DeadLetterFile, type Rejection } from './dead-letter';
import type { FailureReporter } from './failure-report';
import type { ShipperMetrics } from './metrics';
import type { Position, SegmentLog } from '../core/spool/segment-log';

export { dataStreamName, recordId } from './bulk-items';

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

interface Batch {
  readonly start: Position;
  readonly bytes: number;
  readonly items: Item[];
  done: boolean;
}

class Aborted extends Error {}

const gzipAsync = promisify(gzip);

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
  let drained: (() => void) | undefined;

  const bulkBody = createBulkBody();

  const health = createOutputHealth(opts);
  const pause = async (ms: number): Promise<void> => {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new Aborted();
    }
  };
  const waitHealthy = (): Promise<void> => pause(health.waitMs());

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
        health.failed(err);
        continue;
      }
      const { acked, retry, rejected } = classifyBulkItems(pending, res);
      // Only now: a response without per-item results throws above and counts as a failure.
      health.succeeded();
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
          health.failed(err);
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
        health.succeeded();
        prepared = true;
        schedule();
        return;
      } catch (err) {
        if (signal.aborted || err instanceof Aborted) return;
        health.failed(err);
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
    up: () => health.up(),
    inFlightBytes: () => inflight.reduce((sum, b) => sum + b.bytes, 0),
  };
}
