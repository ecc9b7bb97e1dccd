import { close, open, read } from 'node:fs';

/**
 * Reads /proc and /sys files on the scrape path with as few syscalls as possible: each file is
 * opened once and kept open, and every read is a pread() from offset 0, which makes the kernel
 * generate the file afresh (seq_file, sysfs and sysctl files all restart at offset 0). That is
 * one or two threadpool round trips per file instead of readFile()'s open, fstat, read, close.
 *
 * Concurrent reads of the same path share one read (the cpu and stat collectors both read
 * /proc/stat in the same scrape). Nothing here is synchronous.
 */
export interface FileReader {
  /**
   * The whole file as text. `single` says the kernel hands the file out in one read when the
   * buffer is large enough (single_open proc files, sysfs attributes, sysctls, regular files),
   * so a short read is the end; otherwise reads continue until one returns nothing.
   */
  read(path: string, opts?: { single?: boolean }): Promise<string>;
  /** Closes every file; reads after close() reopen. */
  close(): Promise<void>;
}

interface OpenFile {
  fd: Promise<number>;
  buf: Buffer;
}

const INITIAL_BUFFER = 16 * 1024;
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

  const readWhole = async (path: string, single: boolean): Promise<string> => {
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
        const n = await pread(fd, current.buf, length, length);
        length += n;
        if (n === 0 || (single && length < current.buf.length)) break;
      }
      return current.buf.toString('utf8', 0, length);
    } catch (err) {
      // A vanished or broken file is reopened on the next read.
      drop(path, current);
      throw err;
    }
  };

  return {
    read(path, opts = {}) {
      const running = inflight.get(path);
      if (running) return running;
      const p = readWhole(path, opts.single ?? false).finally(() => inflight.delete(path));
      inflight.set(path, p);
      return p;
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
