import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../core/http-server';

/**
 * Server-Sent Events to the portal. Each client gets every change as it happens; one whose unsent
 * data passes `maxBuffer` (a slow reader) is disconnected rather than buffered without bound.
 */
export interface StreamHub {
  /** `project`: only that project's changes reach this client. */
  attach(req: IncomingMessage, res: ServerResponse, project?: string): void;
  publish(event: string, data: unknown, project: string): void;
  readonly clients: number;
  readonly dropped: number;
  configure(opts: StreamOptions): void;
  close(): void;
}

export interface StreamOptions {
  readonly maxClients: number;
  readonly maxBuffer: number;
  readonly keepaliveMs: number;
}

export function createStreamHub(initial: StreamOptions, onClients: (clients: number, dropped: boolean) => void = () => undefined): StreamHub {
  let opts = initial;
  const clients = new Map<ServerResponse, string | undefined>();
  let dropped = 0;
  let keepalive: NodeJS.Timeout | undefined;

  const remove = (res: ServerResponse, slow = false): void => {
    if (!clients.delete(res)) return;
    onClients(clients.size, slow);
    if (clients.size === 0 && keepalive) {
      clearInterval(keepalive);
      keepalive = undefined;
    }
  };

  const send = (res: ServerResponse, chunk: string): void => {
    if (res.writableLength > opts.maxBuffer) {
      dropped++;
      remove(res, true);
      res.destroy();
      return;
    }
    res.write(chunk);
  };

  const broadcast = (chunk: string, project?: string): void => {
    for (const [res, only] of clients) if (project === undefined || only === undefined || only === project) send(res, chunk);
  };

  return {
    attach(req, res, project) {
      if (clients.size >= opts.maxClients) throw new HttpError(503, `too many stream clients (limit ${opts.maxClients})`);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 5000\n: connected\n\n`);
      clients.set(res, project);
      onClients(clients.size, false);
      req.socket.setNoDelay(true);
      const gone = (): void => remove(res);
      req.on('close', gone);
      res.on('close', gone);
      if (!keepalive) {
        keepalive = setInterval(() => broadcast(': keepalive\n\n'), opts.keepaliveMs);
        keepalive.unref();
      }
    },
    publish(event, data, project) {
      if (clients.size === 0) return;
      broadcast(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, project);
    },
    get clients() {
      return clients.size;
    },
    get dropped() {
      return dropped;
    },
    configure(next) {
      opts = next;
    },
    close() {
      for (const res of clients.keys()) res.end();
      clients.clear();
      onClients(0, false);
      if (keepalive) clearInterval(keepalive);
      keepalive = undefined;
    },
  };
}
