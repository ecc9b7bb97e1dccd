import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { byteSize, duration } from './duration';
import { HttpError } from './http-server';

/**
 * Server-Sent Events hub shared by every live stream (deployments, projects). Each client gets
 * every change as it happens; one whose unsent data passes `maxBuffer` (a slow reader) is
 * disconnected rather than buffered without bound.
 */
export interface StreamHub {
  /** `filter`: only events whose keys hold these values reach this client ({project: "shop"}). */
  attach(req: IncomingMessage, res: ServerResponse, filter?: StreamFilter): void;
  publish(event: string, data: unknown, keys: StreamFilter): void;
  readonly clients: number;
  readonly dropped: number;
  configure(opts: StreamOptions): void;
  close(): void;
}

export type StreamFilter = Readonly<Record<string, string>>;

export interface StreamOptions {
  readonly maxClients: number;
  readonly maxBuffer: number;
  readonly keepaliveMs: number;
}

/** The `stream:` section every part with a live stream shares, with the same limits. */
export const streamConfigSchema = z
  .strictObject({
    max_clients: z.number().int().min(1).max(10_000).default(100),
    /** A client with more than this much unsent data is dropped. */
    max_buffer: byteSize.default(1024 * 1024),
    keepalive: duration.default(15_000),
  })
  .prefault({});
export type StreamConfig = z.output<typeof streamConfigSchema>;

export const streamOptions = (c: StreamConfig): StreamOptions => ({ maxClients: c.max_clients, maxBuffer: c.max_buffer, keepaliveMs: c.keepalive });

/** The filter of a stream request: the named query parameters that are present and not empty. */
export function streamFilter(query: URLSearchParams, names: readonly string[]): StreamFilter | undefined {
  const filter: Record<string, string> = {};
  for (const name of names) {
    const v = query.get(name);
    if (v) filter[name] = v;
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}

const matches = (filter: StreamFilter | undefined, keys: StreamFilter): boolean => {
  if (filter === undefined) return true;
  for (const k in filter) if (keys[k] !== filter[k]) return false;
  return true;
};

export function createStreamHub(initial: StreamOptions, onClients: (clients: number, dropped: boolean) => void = () => undefined): StreamHub {
  let opts = initial;
  const clients = new Map<ServerResponse, StreamFilter | undefined>();
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

  const broadcast = (chunk: string, keys?: StreamFilter): void => {
    for (const [res, filter] of clients) if (keys === undefined || matches(filter, keys)) send(res, chunk);
  };

  return {
    attach(req, res, filter) {
      if (clients.size >= opts.maxClients) throw new HttpError(503, `too many stream clients (limit ${opts.maxClients})`);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 5000\n: connected\n\n`);
      clients.set(res, filter);
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
    publish(event, data, keys) {
      if (clients.size === 0) return;
      broadcast(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`, keys);
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
