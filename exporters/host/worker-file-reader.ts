import { Worker } from 'node:worker_threads';
import type { FileReader } from './file-reader';

/**
 * The reader thread: keeps every file open and answers a batch of paths with one pread() from
 * offset 0 each (more only for files longer than one read). It runs synchronous reads, but on its
 * own thread, so the event loop never waits on them. Plain JavaScript so it needs no loader.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const fds = new Map();
let buf = Buffer.allocUnsafe(64 * 1024);
function readOne(path, single) {
  let fd = fds.get(path);
  if (fd === undefined) {
    fd = fs.openSync(path, 'r');
    fds.set(path, fd);
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = fs.readSync(fd, buf, length, buf.length - length, length);
      length += n;
      if (n === 0 || (single && length < buf.length)) break;
    }
    return buf.toString('utf8', 0, length);
  } catch (err) {
    fds.delete(path);
    try { fs.closeSync(fd); } catch {}
    throw err;
  }
}
parentPort.on('message', (msg) => {
  if (msg.close) {
    for (const fd of fds.values()) { try { fs.closeSync(fd); } catch {} }
    fds.clear();
    parentPort.postMessage({ id: msg.id, results: [] });
    return;
  }
  const results = new Array(msg.paths.length);
  for (let i = 0; i < msg.paths.length; i++) {
    try {
      results[i] = { text: readOne(msg.paths[i], msg.single[i]) };
    } catch (err) {
      results[i] = { error: { message: String(err && err.message), code: err && err.code } };
    }
  }
  parentPort.postMessage({ id: msg.id, results });
});
`;

interface Result {
  readonly text?: string;
  readonly error?: { message: string; code?: string };
}

interface Pending {
  readonly paths: string[];
  readonly single: boolean[];
  readonly waiters: { resolve: (s: string) => void; reject: (e: Error) => void }[];
}

/**
 * A FileReader that hands all reads asked for in the same tick to one reader thread as a single
 * message: a scrape's dozen kernel files cost one round trip instead of one threadpool job each.
 * Concurrent reads of the same path share one answer. The thread is started on first use, is
 * unref'd (it never keeps the process alive) and is ended by close().
 */
export function createWorkerFileReader(): FileReader {
  let worker: Worker | undefined;
  let nextId = 1;
  /** Batches sent and not yet answered, by id, with the thread that has them. */
  const waiting = new Map<number, { readonly batch: Pending; readonly worker: Worker }>();
  let batch: Pending | undefined;
  let batchIndex = new Map<string, Promise<string>>();

  /** Fails the batches a thread had when it died; a thread started since keeps its own. */
  const failAll = (of: Worker, err: Error): void => {
    for (const [id, sent] of waiting) {
      if (sent.worker !== of) continue;
      waiting.delete(id);
      for (const w of sent.batch.waiters) w.reject(err);
    }
  };

  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, name: 'vigil-host-reader' });
    w.unref();
    w.on('message', (msg: { id: number; results: Result[] }) => {
      const sent = waiting.get(msg.id);
      if (!sent) return;
      waiting.delete(msg.id);
      msg.results.forEach((r, i) => {
        const waiter = sent.batch.waiters[i];
        if (!waiter) return;
        if (r.text !== undefined) waiter.resolve(r.text);
        else waiter.reject(Object.assign(new Error(r.error?.message ?? 'read failed'), { code: r.error?.code }));
      });
      if (![...waiting.values()].some((x) => x.worker === w)) w.unref();
    });
    w.on('error', (err) => {
      if (worker === w) worker = undefined;
      failAll(w, err);
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(w, new Error('the host reader thread exited'));
    });
    worker = w;
    return w;
  };

  const flush = (): void => {
    const p = batch;
    batch = undefined;
    batchIndex = new Map();
    if (!p) return;
    const id = nextId++;
    const w = ensureWorker();
    waiting.set(id, { batch: p, worker: w });
    w.ref(); // an answer is due: keep the process alive until it comes
    w.postMessage({ id, paths: p.paths, single: p.single });
  };

  return {
    read(path, opts = {}) {
      const same = batchIndex.get(path);
      if (same) return same;
      if (!batch) {
        batch = { paths: [], single: [], waiters: [] };
        process.nextTick(flush);
      }
      const b = batch;
      const promise = new Promise<string>((resolve, reject) => {
        b.paths.push(path);
        b.single.push(opts.single ?? false);
        b.waiters.push({ resolve, reject });
      });
      batchIndex.set(path, promise);
      return promise;
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      await w.terminate();
    },
  };
}
