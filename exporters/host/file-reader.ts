import { close, open, read } from 'node:fs';

/**
 * Reads /proc and /sys files on the scrape path with as few syscalls as possible: each file is
 * opened once and kept open, and every read is a pread() from offset 0, which makes the kernel
 * generate the file afresh (seq_file, sysfs and sysctl files all restart at offset 0). That is
 * one threadpool round trip per file, where readFile() takes four (open, fstat, read, close),
 * and the reads of one scrape run side by side on the libuv threadpool.
 *
 * Concurrent reads of the same path share one read (the cpu and stat collectors both read
 * /proc/stat in the same scrape). Nothing here blocks the event loop.
 */
export interface FileReader {
  read(path: string, opts?: ReadOptions): Promise<string>;
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

interface OpenFile {
  fd: Promise<number>;
  buf: Buffer;
}

const INITIAL_BUFFER = 16 * 1024;
/** Errors a read of an open sysfs attribute returns while the file itself stays valid. */
const ATTRIBUTE_ERRORS = new Set(['EINVAL', 'EOPNOTSUPP', 'ENODATA', 'ENOTSUP']);
const CLOSE_WAIT_MS = 1000;

function openFd(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

function pread(fd: number, buf: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buf, offset, buf.length - offset, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve) => close(fd, () => resolve()));
}

export function createFileReader(): FileReader {
  const files = new Map<string, OpenFile>();
  const inflight = new Map<string, Promise<string>>();

  const drop = (path: string, file: OpenFile): void => {
    if (files.get(path) !== file) return;
    files.delete(path);
    file.fd.then(closeFd, () => undefined).catch(() => undefined);
  };

  const readWhole = async (path: string, opts: ReadOptions): Promise<string> => {
    const single = opts.single ?? false;
    const lastBelow = opts.maxRecordBytes === undefined ? -1 : SEQ_BUFFER_BYTES - opts.maxRecordBytes;
    let file = files.get(path);
    if (!file) {
      file = { fd: openFd(path), buf: Buffer.allocUnsafe(INITIAL_BUFFER) };
      files.set(path, file);
    }
    const current = file;
    try {
      const fd = await current.fd;
      let length = 0;
      for (;;) {
        if (length === current.buf.length) {
          const bigger = Buffer.allocUnsafe(current.buf.length * 2);
          current.buf.copy(bigger, 0, 0, length);
          current.buf = bigger;
        }
        const asked = current.buf.length - length;
        const n = await pread(fd, current.buf, length, length);
        length += n;
        if (n === 0 || (n < asked && (single || n <= lastBelow))) break;
      }
      return current.buf.toString('utf8', 0, length);
    } catch (err) {
      // A vanished or broken file is reopened on the next read. A sysfs attribute the device
      // cannot report right now (the carrier of a link that is down: EINVAL) keeps its
      // descriptor, which answers again once the device can.
      if (!ATTRIBUTE_ERRORS.has((err as NodeJS.ErrnoException).code ?? '') || !(await current.fd.then(() => true, () => false))) {
        drop(path, current);
      }
      throw err;
    }
  };

  return {
    read(path, opts = {}) {
      const running = inflight.get(path);
      if (running) return running;
      const p = readWhole(path, opts).finally(() => inflight.delete(path));
      inflight.set(path, p);
      return p;
    },
    forget(path) {
      const file = files.get(path);
      if (!file) return;
      const running = inflight.get(path);
      // A read in flight keeps its descriptor until it settles.
      if (running) void running.then(() => drop(path, file), () => undefined);
      else drop(path, file);
    },
    async close() {
      // Wait briefly for reads in flight, including those asked for meanwhile, so no fd is
      // closed (and reused) under a pending pread.
      let timer: NodeJS.Timeout | undefined;
      let expired = false;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          expired = true;
          resolve();
        }, CLOSE_WAIT_MS);
        timer.unref();
      });
      while (inflight.size > 0 && !expired) await Promise.race([Promise.allSettled([...inflight.values()]), grace]);
      clearTimeout(timer);
      for (const [path, file] of [...files]) drop(path, file);
    },
  };
}
