import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A place in the log: a segment number and a byte offset inside it. */
export interface Position {
  readonly segment: number;
  readonly offset: number;
}

export interface LogRecord {
  /** The line's bytes without the newline: a view into the read buffer (no copy, no string). */
  readonly data: Buffer;
  readonly segment: number;
  /** Byte offset of the line's first byte in its segment: with the log id, the record's identity. */
  readonly offset: number;
}

export interface ReadResult {
  readonly records: LogRecord[];
  readonly bytes: number;
  /** Where the next read starts. */
  readonly next: Position;
}

export type OverflowPolicy = 'drop_oldest' | 'drop_newest';

export interface SegmentLogOptions {
  readonly dir: string;
  /** File names are <prefix><12-digit segment number>.ndjson. */
  readonly prefix: string;
  readonly segmentBytes: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  /** 0: never fsync (records survive a killed process through the page cache, not a power loss). */
  readonly fsyncIntervalMs: number;
  /**
   * true for the spool: a checkpoint of acknowledged records is kept and dropped records are
   * counted. false for plain rotated files (local NDJSON output): the oldest file is simply removed.
   */
  readonly checkpoint: boolean;
  /** Records lost to the overflow policy. */
  readonly onDrop?: (records: number) => void;
}

export interface SegmentLog {
  /** Random id created with the log directory; part of every record's Elasticsearch _id. */
  readonly id: string;
  /**
   * Appends whole lines (without "\n") with one write(2) into the page cache before returning, so a
   * record survives the process being killed once this returns. Returns false when the
   * drop_newest policy refused the lines.
   */
  append(lines: readonly string[]): boolean;
  /** Complete lines from `from`, within one segment, up to maxBytes (at least one line) and maxRecords. */
  read(from: Position, maxBytes: number, maxRecords: number): Promise<ReadResult>;
  /** The acknowledged position (everything before it was delivered). */
  checkpoint(): Position;
  /** Marks everything before `pos` delivered; whole segments before it are deleted. */
  ack(pos: Position): void;
  /** Tells the log what the reader holds in memory up to `pos`, so dropping a segment does not count those records. */
  markRead(pos: Position): void;
  end(): Position;
  /** Bytes of all segment files on disk. */
  bytes(): number;
  /** Calls `listener` after each append; returns the function that removes it. */
  onAppend(listener: (records: number, bytes: number) => void): () => void;
  /** Saves the checkpoint and closes the file. */
  close(): void;
}

const CHECKPOINT_FILE = 'checkpoint.json';
const META_FILE = 'spool.json';
const NEWLINE = 10;

function segmentName(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}.ndjson`;
}

function isPosition(v: unknown): v is Position {
  if (v === null || typeof v !== 'object') return false;
  const p = v as Record<string, unknown>;
  return Number.isSafeInteger(p.segment) && Number.isSafeInteger(p.offset) && (p.offset as number) >= 0;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Size of a file up to and including its last "\n"; a torn last line (killed mid-write) is cut off. */
async function completeSize(file: string): Promise<number> {
  const { size } = await stat(file);
  if (size === 0) return 0;
  const fh = await open(file, 'r+');
  try {
    const tail = Math.min(size, 1024 * 1024);
    const buf = Buffer.alloc(tail);
    await fh.read(buf, 0, tail, size - tail);
    const last = buf.lastIndexOf(NEWLINE);
    const complete = last === -1 ? size - tail : size - tail + last + 1;
    if (complete !== size) await fh.truncate(complete);
    return complete;
  } finally {
    await fh.close();
  }
}

function countLines(file: string, from: number, to: number): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let count = 0;
    for (let pos = from; pos < to; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n <= 0) break;
      for (let i = buf.indexOf(NEWLINE, 0); i !== -1 && i < n; i = buf.indexOf(NEWLINE, i + 1)) count++;
      pos += n;
    }
    return count;
  } finally {
    closeSync(fd);
  }
}

/**
 * An append-only log of NDJSON lines in numbered segment files: a durable spool (the shipper's and the relay's), and
 * (without a checkpoint) the rotated local files Filebeat reads. Memory use does not depend on how
 * much is on disk: only segment sizes are kept.
 */
export async function openSegmentLog(opts: SegmentLogOptions): Promise<SegmentLog> {
  if (opts.maxBytes < 2 * opts.segmentBytes) throw new Error('maxBytes must be at least twice segmentBytes');
  await mkdir(opts.dir, { recursive: true });
  const path = (n: number): string => join(opts.dir, segmentName(opts.prefix, n));

  let id: string;
  const meta = await readJson(join(opts.dir, META_FILE));
  if (meta && typeof meta === 'object' && typeof (meta as { id?: unknown }).id === 'string') {
    id = (meta as { id: string }).id;
  } else {
    id = randomBytes(8).toString('hex');
    writeFileSync(join(opts.dir, META_FILE), JSON.stringify({ id }) + '\n');
  }

  const pattern = new RegExp(`^${opts.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{12})\\.ndjson$`);
  const found = (await readdir(opts.dir))
    .map((f) => pattern.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  /** Segment number → bytes of complete lines; insertion order is segment order. */
  const sizes = new Map<number, number>();
  let total = 0;
  for (const n of found) {
    const size = await completeSize(path(n));
    sizes.set(n, size);
    total += size;
  }

  let checkpoint: Position = { segment: found[0] ?? 1, offset: 0 };
  if (opts.checkpoint) {
    const saved = await readJson(join(opts.dir, CHECKPOINT_FILE));
    if (isPosition(saved)) checkpoint = saved;
  }
  for (const [n, size] of [...sizes]) {
    if (size > 0 && !(opts.checkpoint && n < checkpoint.segment)) continue;
    sizes.delete(n);
    total -= size;
    await unlink(path(n)).catch(() => undefined);
  }
  // Every start writes a fresh segment, so an old (possibly torn) file is never appended to.
  let current = (found[found.length - 1] ?? 0) + 1;
  let fd = openSync(path(current), 'a');
  sizes.set(current, 0);

  const listeners: ((records: number, bytes: number) => void)[] = [];
  let readMark: Position = checkpoint;
  const scratch = Buffer.allocUnsafe(256 * 1024);
  let appendedLines = 0;
  let appendedBytes = 0;
  let dirty = false;
  let saveTimer: NodeJS.Timeout | undefined;

  const saveCheckpoint = (): void => {
    if (!opts.checkpoint || !dirty) return;
    dirty = false;
    const file = join(opts.dir, CHECKPOINT_FILE);
    writeFileSync(`${file}.tmp`, JSON.stringify(checkpoint) + '\n');
    renameSync(`${file}.tmp`, file);
  };

  const first = (): number => sizes.keys().next().value ?? current;

  const normalize = (pos: Position): Position => {
    let p = pos;
    const lowest = first();
    if (p.segment < lowest) p = { segment: lowest, offset: 0 };
    return p;
  };

  const deleteSegment = (n: number): void => {
    total -= sizes.get(n) ?? 0;
    sizes.delete(n);
    try {
      unlinkSync(path(n));
    } catch {
      // already gone
    }
  };

  const dropOldest = (): void => {
    const n = first();
    const size = sizes.get(n) ?? 0;
    if (opts.checkpoint) {
      // Records before the checkpoint are delivered; those before the read mark are in memory and
      // will be delivered from there: neither is lost with the file.
      const kept = readMark.segment > checkpoint.segment || (readMark.segment === checkpoint.segment && readMark.offset > checkpoint.offset) ? readMark : checkpoint;
      const from = kept.segment === n ? kept.offset : kept.segment < n ? 0 : size;
      const dropped = from < size ? countLines(path(n), from, size) : 0;
      deleteSegment(n);
      if (checkpoint.segment <= n) {
        checkpoint = { segment: first(), offset: 0 };
        dirty = true;
      }
      if (dropped > 0) opts.onDrop?.(dropped);
    } else {
      deleteSegment(n);
    }
  };

  const rotate = (): void => {
    closeSync(fd);
    current++;
    fd = openSync(path(current), 'a');
    sizes.set(current, 0);
  };

  const fsyncTimer =
    opts.fsyncIntervalMs > 0
      ? setInterval(() => {
          fdatasync(fd, () => undefined);
        }, opts.fsyncIntervalMs)
      : undefined;
  fsyncTimer?.unref();

  const log: SegmentLog = {
    id,
    append(lines) {
      if (lines.length === 0) return true;
      const text = lines.length === 1 ? `${lines[0] as string}\n` : `${lines.join('\n')}\n`;
      // Encode into a reused buffer: no allocation per record on the logger's hot path.
      const buf = text.length * 3 <= scratch.length ? scratch : Buffer.allocUnsafe(Buffer.byteLength(text));
      const len = buf.write(text, 0);
      if (total + len > opts.maxBytes) {
        if (opts.overflow === 'drop_newest' && opts.checkpoint) {
          opts.onDrop?.(lines.length);
          return false;
        }
        while (total + len > opts.maxBytes && sizes.size > 1) dropOldest();
        if (total + len > opts.maxBytes) {
          rotate();
          dropOldest();
        }
      }
      let size = sizes.get(current) ?? 0;
      if (size > 0 && size + len > opts.segmentBytes) {
        rotate();
        size = 0;
      }
      for (let done = 0; done < len; ) done += writeSync(fd, buf, done, len - done);
      sizes.set(current, size + len);
      total += len;
      appendedLines += lines.length;
      appendedBytes += len;
      for (const l of listeners) l(lines.length, len);
      return true;
    },

    async read(from, maxBytes, maxRecords) {
      let pos = normalize(from);
      for (;;) {
        const size = sizes.get(pos.segment);
        if (size === undefined || pos.offset >= size) {
          if (pos.segment >= current) return { records: [], bytes: 0, next: pos };
          pos = { segment: pos.segment + 1, offset: 0 };
          continue;
        }
        const available = size - pos.offset;
        // Read about what maxRecords lines take (by the average line so far), not maxBytes each time.
        const expected = Math.max(64 * 1024, Math.ceil(maxRecords * (appendedLines > 0 ? appendedBytes / appendedLines : 1024) * 1.25));
        let want = Math.min(available, maxBytes, expected);
        let fh;
        try {
          fh = await open(path(pos.segment), 'r');
        } catch {
          // deleted by the overflow policy meanwhile
          pos = normalize({ segment: pos.segment + 1, offset: 0 });
          continue;
        }
        let result: ReadResult;
        try {
          for (;;) {
            const buf = Buffer.allocUnsafe(want);
            const { bytesRead } = await fh.read(buf, 0, want, pos.offset);
            const records: LogRecord[] = [];
            let start = 0;
            for (let nl = buf.indexOf(NEWLINE); nl !== -1 && nl < bytesRead; nl = buf.indexOf(NEWLINE, start)) {
              records.push({ data: buf.subarray(start, nl), segment: pos.segment, offset: pos.offset + start });
              start = nl + 1;
              if (records.length >= maxRecords) break;
            }
            if (records.length > 0) {
              result = { records, bytes: start, next: { segment: pos.segment, offset: pos.offset + start } };
              break;
            }
            if (want >= available) {
              result = { records: [], bytes: 0, next: pos };
              break;
            }
            want = Math.min(available, want * 2); // a line longer than what was read
          }
        } finally {
          await fh.close();
        }
        // Dropped by the overflow policy while it was being read (and counted as dropped then).
        if (sizes.has(pos.segment)) return result;
        pos = normalize({ segment: pos.segment + 1, offset: 0 });
      }
    },

    checkpoint: () => normalize(checkpoint),

    ack(pos) {
      checkpoint = pos;
      dirty = true;
      for (const n of [...sizes.keys()]) {
        if (n >= pos.segment || n === current) break;
        deleteSegment(n);
      }
      saveTimer ??= setTimeout(() => {
        saveTimer = undefined;
        saveCheckpoint();
      }, 1000).unref();
    },

    markRead(pos) {
      readMark = pos;
    },

    end: () => ({ segment: current, offset: sizes.get(current) ?? 0 }),
    bytes: () => total,
    onAppend(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    close() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      if (fsyncTimer) clearInterval(fsyncTimer);
      saveCheckpoint();
      closeSync(fd);
    },
  };
  return log;
}
