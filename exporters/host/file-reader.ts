import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads /proc and /sys files on the scrape path with as few syscalls as possible: each file is
 * opened once and kept open, and every read is one pread() from offset 0, which makes the kernel
 * generate the file afresh (seq_file, sysfs and sysctl files all restart at offset 0).
 *
 * The pread is synchronous, on the event loop: procfs and sysfs files are generated from kernel
 * memory and never wait for a disk, so a read costs a few microseconds, where a pread on the
 * libuv threadpool costs a thread hand-off each way (about ten times as much CPU; most of a
 * scrape's, measured with 120 files a scrape, see BENCHMARKS.md). Everything that can wait on a
 * device stays off the event loop: statfs() (filesystem.ts) and textfiles (textfile.ts), which
 * are regular files on a disk.
 */
export interface FileReader {
  /** The whole file as the kernel generates it now; throws the system error (with its `code`). */
  read(path: string, opts?: ReadOptions): string;
  /**
   * Closes the kept-open file of a path that will not be read again (a network interface that
   * went away), so that devices coming and going do not leave descriptors behind.
   */
  forget(path: string): void;
  /** Closes every file; reads after close() reopen. */
  close(): Promise<void>;
}

/** How to tell the end of a file without one more read that returns nothing. */
export interface ReadOptions {
  /**
   * The kernel hands the whole file out in one read when the buffer is large enough
   * (single_open proc files, sysfs attributes, sysctls, regular files): a short read is the end.
   */
  readonly single?: boolean;
  /**
   * For seq_file files made of records (lines) of at most this many bytes (/proc/net/dev,
   * /proc/diskstats): the kernel fills a read from a buffer of at least a page and stops early
   * only when the next record would not fit, so a read that ends this far below a page ends the
   * file. Longer files, and files without this bound, read on until a read returns nothing.
   */
  readonly maxRecordBytes?: number;
}

/** seq_file's buffer is PAGE_SIZE at least (4 KiB; larger pages only make it bigger). */
const SEQ_BUFFER_BYTES = 4096;

/** One buffer for every read: reads are synchronous, so they never overlap. */
let shared = Buffer.allocUnsafe(16 * 1024);

/** Errors a read of an open sysfs attribute returns while the file itself stays valid. */
const ATTRIBUTE_ERRORS = new Set(['EINVAL', 'EOPNOTSUPP', 'ENODATA', 'ENOTSUP']);

/** The whole file behind fd, read from offset 0 with as few preads as its kind allows. */
function readWhole(fd: number, opts: ReadOptions): string {
  const single = opts.single ?? false;
  const lastBelow = opts.maxRecordBytes === undefined ? -1 : SEQ_BUFFER_BYTES - opts.maxRecordBytes;
  let length = 0;
  for (;;) {
    if (length === shared.length) {
      const bigger = Buffer.allocUnsafe(shared.length * 2);
      shared.copy(bigger, 0, 0, length);
      shared = bigger;
    }
    const asked = shared.length - length;
    const n = readSync(fd, shared, length, asked, length);
    length += n;
    if (n === 0 || (n < asked && (single || n <= lastBelow))) break;
  }
  return shared.toString('utf8', 0, length);
}

export function createFileReader(): FileReader {
  const files = new Map<string, number>();

  const drop = (path: string): void => {
    const fd = files.get(path);
    if (fd === undefined) return;
    files.delete(path);
    try {
      closeSync(fd);
    } catch {
      // already closed; nothing to release
    }
  };

  const readOrThrow = (path: string, opts: ReadOptions): string => {
    let fd = files.get(path);
    if (fd === undefined) {
      fd = openSync(path, 'r');
      files.set(path, fd);
    }
    try {
      return readWhole(fd, opts);
    } catch (err) {
      // A vanished or broken file is reopened on the next read. A sysfs attribute the device
      // cannot report right now (the carrier of a link that is down: EINVAL) keeps its
      // descriptor, which answers again once the device can.
      if (!ATTRIBUTE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) drop(path);
      throw err;
    }
  };

  // Stack traces off while reading: an attribute a device does not have (the speed of a virtual
  // link: EINVAL) fails on every scrape, and the errno and path are all a caller looks at.
  const read = (path: string, opts: ReadOptions = {}): string => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return readOrThrow(path, opts);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };

  return {
    read,
    forget(path) {
      drop(path);
    },
    close() {
      for (const path of [...files.keys()]) drop(path);
      return Promise.resolve();
    },
  };
}
