import type { estypes } from '@elastic/elasticsearch';
import type { Rejection } from './dead-letter';
import type { LogRecord } from '../core/spool/segment-log';

/** One spooled record on its way to Elasticsearch. */
export interface Item {
  readonly id: string;
  readonly index: string;
  /** The ECS JSON as read from the spool (a view into the read buffer). */
  readonly doc: Buffer;
}

/** The _id of a record: the spool's id and the record's place in it, so a replay is a 409. */
export function recordId(logId: string, r: LogRecord): string {
  return `${logId}-${r.segment}-${r.offset}`;
}

export function dataStreamName(dataset: string, namespace: string): string {
  return `logs-${dataset}-${namespace}`;
}

const TAB = 9;

/** A spool line "<dataset>\t<json>" as an item of the data stream logs-<dataset>-<namespace>. */
export function toItem(logId: string, namespace: string, r: LogRecord): Item {
  const tab = r.data.indexOf(TAB);
  // Datasets are short ASCII (see spool-transport.ts).
  const dataset = tab > 0 && tab <= 100 ? r.data.toString('latin1', 0, tab) : 'vigil.app';
  return { id: recordId(logId, r), index: dataStreamName(dataset, namespace), doc: tab > 0 && tab <= 100 ? r.data.subarray(tab + 1) : r.data };
}

/** Builds `_bulk` bodies: `create` action lines written in, documents copied from the spool's read buffers. */
export function createBulkBody(): (items: readonly Item[]) => Buffer {
  const prefixes = new Map<string, string>();
  const actionPrefix = (index: string): string => {
    let p = prefixes.get(index);
    if (p === undefined) {
      p = `{"create":{"_index":${JSON.stringify(index)},"_id":"`;
      if (prefixes.size < 1000) prefixes.set(index, p);
    }
    return p;
  };
  return (items) => {
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
}

/** The HTTP status of the client's ResponseError (matched by name: the client is loaded lazily). */
export function statusOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || err.name !== 'ResponseError') return undefined;
  const status = (err as Error & { meta?: { statusCode?: unknown } }).meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function reasonOf(error: estypes.ErrorCause | undefined): { type: string; reason: string } {
  if (!error) return { type: 'unknown', reason: 'no error object in the response' };
  const cause = error.caused_by ? `; caused by ${error.caused_by.type}: ${error.caused_by.reason ?? ''}` : '';
  return { type: error.type, reason: `${error.reason ?? ''}${cause}` };
}

/** What a `_bulk` response says of each item sent. */
export interface BulkOutcome {
  /** Stored now, or already (409: a replay of a record Elasticsearch has). */
  readonly acked: number;
  /** To send again after the backoff: 429, 5xx, or no result for the item. */
  readonly retry: Item[];
  /** Refused for good (any other status), with Elasticsearch's reason, for the dead letter. */
  readonly rejected: Rejection[];
}

/**
 * Pure: sorts the items of one `_bulk` request by their results, in order, as Filebeat does:
 * 2xx and 409 are delivered, 429 and 5xx are retried, an item without a result is retried, any
 * other status is a permanent rejection.
 */
export function classifyBulkItems(items: readonly Item[], response: Pick<estypes.BulkResponse, 'items'>): BulkOutcome {
  const retry: Item[] = [];
  const rejected: Rejection[] = [];
  let acked = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Item;
    const entry = response.items[i];
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
  return { acked, retry, rejected };
}
