import { openSegmentLog, type Position, type SegmentLog } from '../core/spool/segment-log';
import type { Payload } from './payload';

/** One accepted notification waiting for its robot. */
export interface Entry {
  readonly payload: Payload;
  /** When the relay accepted it (ms). */
  readonly receivedAt: number;
  /** Where the queue continues after this entry: acknowledging it acknowledges everything before. */
  readonly next: Position;
}

export interface QueueOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly fsyncIntervalMs: number;
  /** Bytes (of the lines on disk) of the newest waiting entries also held in memory; older ones are read back from disk. */
  readonly memoryBytes?: number;
}

/** Default of QueueOptions.memoryBytes. */
export const QUEUE_MEMORY_BYTES = 4 * 1024 * 1024;

/**
 * A target's notifications on disk, in order, until its robot took them: the shared segment log
 * (core/spool/) with a checkpoint. An accepted notification is written before the relay answers,
 * so it survives `kill -9`; a restart starts again from the checkpoint. The newest waiting entries
 * (up to `memoryBytes` of them) are also kept in memory, so that the sender takes a notification
 * as soon as it is written instead of reading it back from the file.
 */
export interface NotificationQueue {
  /** false: the queue is full (nothing written). Throws when the disk refuses the write. */
  push(payload: Payload, now: number): boolean;
  /** Up to `max` entries from the oldest not acknowledged, without removing them. */
  peek(max: number): Promise<Entry[]>;
  /** Removes `count` entries from the front, the last of which ends at `next`. */
  ack(count: number, next: Position): void;
  length(): number;
  /** When the oldest waiting notification was accepted; undefined when none waits. */
  oldestReceivedAt(): number | undefined;
  /** Calls `listener` after every push; returns the function that removes it. */
  onPush(listener: () => void): () => void;
  close(): void;
}

interface Line {
  readonly t: number;
  readonly p: Payload;
}

const READ_BYTES = 4 * 1024 * 1024;
/** Entries read at once when the head of the queue is only on disk. */
const READ_AHEAD = 256;

function parseLine(data: Buffer): Line | undefined {
  try {
    const line = JSON.parse(data.toString('utf8')) as Line;
    return typeof line.t === 'number' && line.p && typeof line.p === 'object' ? line : undefined;
  } catch {
    return undefined; // a line that is not ours (hand-edited file): skipped
  }
}

async function readFrom(log: SegmentLog, from: Position, max: number): Promise<{ entries: Entry[]; end: Position }> {
  const entries: Entry[] = [];
  let pos = from;
  while (entries.length < max) {
    const r = await log.read(pos, READ_BYTES, max - entries.length);
    if (r.records.length === 0) break;
    for (const rec of r.records) {
      const line = parseLine(rec.data);
      const next = { segment: rec.segment, offset: rec.offset + rec.data.length + 1 };
      if (line) entries.push({ payload: line.p, receivedAt: line.t, next });
    }
    pos = r.next;
  }
  return { entries, end: pos };
}

export async function openQueue(opts: QueueOptions): Promise<NotificationQueue> {
  const log = await openSegmentLog({
    dir: opts.dir,
    prefix: 'queue-',
    segmentBytes: opts.segmentBytes,
    maxBytes: opts.maxBytes,
    overflow: 'drop_newest',
    fsyncIntervalMs: opts.fsyncIntervalMs,
    checkpoint: true,
  });
  // Accept times of the waiting entries, oldest first: the length and the oldest age without reading disk.
  const times: number[] = [];
  // The newest `recent.length` waiting entries, in order (always the tail of the queue), and their line bytes.
  const recent: { entry: Entry; bytes: number }[] = [];
  let recentBytes = 0;
  const memoryBytes = opts.memoryBytes ?? QUEUE_MEMORY_BYTES;
  const remember = (entry: Entry, bytes: number): void => {
    recent.push({ entry, bytes });
    recentBytes += bytes;
    while (recentBytes > memoryBytes && recent.length > 0) recentBytes -= (recent.shift() as { bytes: number }).bytes;
  };
  const forget = (): void => {
    while (recent.length > times.length) recentBytes -= (recent.shift() as { bytes: number }).bytes;
  };
  for (let pos = log.checkpoint(); ; ) {
    const r = await readFrom(log, pos, 10_000);
    if (r.entries.length === 0) break;
    for (const e of r.entries) {
      times.push(e.receivedAt);
      remember(e, JSON.stringify(e.payload).length);
    }
    pos = r.end;
  }
  // The oldest waiting entries read back from disk ahead of need (always the head of the queue when
  // not empty): a backlog larger than the memory share is read in batches, not one entry a read.
  let ahead: Entry[] = [];
  const listeners = new Set<() => void>();
  return {
    push(payload, now) {
      const line = JSON.stringify({ t: now, p: payload });
      if (!log.append([line])) return false;
      times.push(now);
      remember({ payload, receivedAt: now, next: log.end() }, line.length);
      for (const l of listeners) l();
      return true;
    },
    async peek(max) {
      if (recent.length === times.length) return recent.slice(0, max).map((r) => r.entry);
      if (ahead.length < Math.min(max, times.length)) ahead = (await readFrom(log, log.checkpoint(), Math.max(max, READ_AHEAD))).entries;
      return ahead.slice(0, max);
    },
    ack(count, next) {
      times.splice(0, count);
      ahead = ahead.slice(count);
      forget();
      log.ack(next);
    },
    length: () => times.length,
    oldestReceivedAt: () => times[0],
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => log.close(),
  };
}
