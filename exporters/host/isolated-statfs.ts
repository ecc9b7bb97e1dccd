import { Worker } from 'node:worker_threads';
import type { FsStats, Statfs } from './filesystem';

/**
 * statfs(2) on a thread of its own, for network filesystems. A statfs on an NFS mount whose
 * server is gone can hang for minutes and cannot be cancelled; on libuv's threadpool (4 threads,
 * shared with every file read and DNS lookup of the process) each such call would pin a thread.
 * Here it pins only this helper thread: a thread that has held a call longer than `stuckAfterMs`
 * is retired (it ends once the call returns) and later calls go to a fresh one.
 */
export const STATFS_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { statfsSync } = require('node:fs');
parentPort.on('message', ({ id, path }) => {
  try {
    const s = statfsSync(path);
    parentPort.postMessage({ id, stats: { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree } });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

export interface IsolatedStatfs {
  readonly statfs: Statfs;
  /** Ends the helper threads; a thread inside a hung statfs ends when the call returns. */
  close(): Promise<void>;
}

interface Helper {
  readonly worker: Worker;
  /** Calls sent and not answered: id → when it was sent. */
  readonly outstanding: Map<number, number>;
  retired: boolean;
}

interface Reply {
  readonly id: number;
  readonly stats?: FsStats;
  readonly error?: { message: string; code?: string };
}

export interface IsolatedStatfsOptions {
  /** A thread holding a call this long is retired (the filesystem collector's mount_timeout). */
  readonly stuckAfterMs: () => number;
  /** The thread's code: STATFS_WORKER_SOURCE, or a stand-in in tests. */
  readonly workerSource?: string;
}

export function createIsolatedStatfs(opts: IsolatedStatfsOptions): IsolatedStatfs {
  const source = opts.workerSource ?? STATFS_WORKER_SOURCE;
  const waiters = new Map<number, { resolve: (s: FsStats) => void; reject: (e: Error) => void }>();
  const helpers = new Set<Helper>();
  let current: Helper | undefined;
  let nextId = 1;

  const settleIdle = (h: Helper): void => {
    if (h.outstanding.size > 0) return;
    if (h.retired) {
      helpers.delete(h);
      void h.worker.terminate();
    } else {
      h.worker.unref();
    }
  };

  const start = (): Helper => {
    const worker = new Worker(source, { eval: true, name: 'vigil-statfs' });
    const h: Helper = { worker, outstanding: new Map(), retired: false };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      h.outstanding.delete(reply.id);
      const w = waiters.get(reply.id);
      waiters.delete(reply.id);
      if (w && reply.stats) w.resolve(reply.stats);
      else if (w) w.reject(Object.assign(new Error(reply.error?.message ?? 'statfs failed'), { code: reply.error?.code }));
      settleIdle(h);
    });
    const fail = (err: Error): void => {
      helpers.delete(h);
      if (current === h) current = undefined;
      for (const id of h.outstanding.keys()) {
        waiters.get(id)?.reject(err);
        waiters.delete(id);
      }
      h.outstanding.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the statfs thread exited')));
    helpers.add(h);
    return h;
  };

  /** The helper to send a call to: the current one unless a call has been stuck in it too long. */
  const pick = (now: number): Helper => {
    if (current) {
      const oldest = Math.min(...current.outstanding.values());
      if (now - oldest >= opts.stuckAfterMs()) {
        current.retired = true;
        current = undefined;
      }
    }
    current ??= start();
    return current;
  };

  return {
    statfs(path) {
      const now = Date.now();
      const h = pick(now);
      const id = nextId++;
      h.outstanding.set(id, now);
      h.worker.ref(); // an answer is due
      return new Promise<FsStats>((resolve, reject) => {
        waiters.set(id, { resolve, reject });
        h.worker.postMessage({ id, path });
      });
    },
    async close() {
      current = undefined;
      for (const h of helpers) {
        h.retired = true;
        h.worker.unref();
        if (h.outstanding.size === 0) {
          helpers.delete(h);
          await h.worker.terminate();
        }
      }
    },
  };
}
