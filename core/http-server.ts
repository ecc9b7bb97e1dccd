import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import { errorFields } from './logger';
import { parseRequestTarget } from './request-target';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface VigilRequest {
  readonly raw: IncomingMessage;
  readonly method: string;
  /** Path below the route prefix, always starting with "/". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
}

export type Handler = (req: VigilRequest, res: ServerResponse) => Promise<void> | void;

export interface Route {
  readonly method: Method;
  /** "/api/v1/deployments/:id": segments starting with ":" capture a parameter. */
  readonly path: string;
  readonly handler: Handler;
}

/**
 * A Node request handler that owns every path at or below `prefix` (below the route prefix), for
 * a part that brings its own web framework (the portal's Express app). Routes are matched first.
 */
export interface Mount {
  readonly prefix: string;
  /** `req.url` is the path below the mount (with the query); `base` is the mount's public path. */
  readonly handler: (req: IncomingMessage, res: ServerResponse, base: string) => void;
}

/** The mount owning `path`, if any. */
function findMount(mounts: readonly Mount[], path: string): Mount | undefined {
  return mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
}

/** Thrown by handlers for a client error; answered as JSON `{ "error": reason }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(reason);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Sends texts one after the other as one body, without joining them first: a joined /metrics of
 * several parts is a new string of the whole body on every scrape (past 128 KiB, one V8 puts in its
 * large-object space, which only a full GC frees); written corked, the texts leave in one writev.
 */
export function sendTexts(res: ServerResponse, status: number, bodies: readonly string[], contentType = 'text/plain; charset=utf-8'): void {
  let length = 0;
  for (const body of bodies) length += Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': length });
  res.cork();
  for (const body of bodies) if (body.length > 0) res.write(body);
  res.end();
}

/** Reads the whole body, refusing with 413 past `limit` bytes without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        req.resume();
        reject(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!done) reject(err);
    });
  });
}

/** "Application/JSON; charset=utf-8" -> "application/json". */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** True when a Content-Type says JSON: application/json or application/<anything>+json, any parameters. */
export function isJsonType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

/** True for an HTML form body (application/x-www-form-urlencoded), which GitHub may send instead of JSON. */
export function isFormType(contentType: string | undefined): boolean {
  return mediaType(contentType) === 'application/x-www-form-urlencoded';
}

/** Refuses (415) a request whose body does not say it is JSON; the body is discarded unread. */
export function requireJson(req: IncomingMessage): void {
  if (isJsonType(req.headers['content-type'])) return;
  req.resume();
  const given = req.headers['content-type'];
  throw new HttpError(415, `expected Content-Type: application/json, got ${given === undefined ? 'none' : JSON.stringify(given)}`);
}

/** Parses a JSON body; malformed JSON is a 400 with the parser's reason. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
}

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/** "/a/b" -> ["a", "b"]; "/" -> [""]; "//x" -> ["", "x"]: empty segments are kept, never merged. */
function splitPath(path: string): string[] {
  return path.slice(1).split('/');
}

function matchRoute(r: CompiledRoute, segments: readonly string[]): Record<string, string> | undefined {
  if (r.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const want = r.segments[i] as string;
    const got = segments[i] as string;
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      params[want.slice(1)] = decodeURIComponent(got); // the target's %-escapes were checked by parseTarget
    } else if (want !== got) return undefined;
  }
  return params;
}

/** Orders patterns: a literal segment beats a parameter at the first position where they differ. */
function moreSpecific(a: CompiledRoute, b: CompiledRoute): boolean {
  for (let i = 0; i < a.segments.length; i++) {
    const pa = (a.segments[i] as string).startsWith(':');
    const pb = (b.segments[i] as string).startsWith(':');
    if (pa !== pb) return pb;
  }
  return false;
}

/** Normalises "--web.route-prefix": "", "/" and "/x/" become "" , "" and "/x". */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export interface HttpServerOptions {
  readonly routePrefix: string;
  readonly logger: Logger;
  /** Called on every request to find the current routes, so a reload can change them. */
  readonly routes: () => readonly Route[];
  /** Called when no route matched; the mounts of the running parts. */
  readonly mounts?: () => readonly Mount[];
}

/** A small router on node:http: exact segment matching, JSON errors, one error boundary. */
export function createHttpServer(opts: HttpServerOptions): Server {
  const prefix = normalizePrefix(opts.routePrefix);
  let compiledFor: readonly Route[] | undefined;
  let compiled: CompiledRoute[] = [];

  const handle = async (raw: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseRequestTarget(raw.url ?? '/');
    if ('error' in target) throw new HttpError(400, target.error);
    let path = target.path;
    if (prefix) {
      if (path === prefix) {
        res.writeHead(302, { location: `${prefix}/${target.search ? `?${target.search}` : ''}` });
        res.end();
        return;
      }
      if (!path.startsWith(`${prefix}/`)) throw new HttpError(404, `not found; routes are under ${prefix}/`);
      path = path.slice(prefix.length);
    }
    const routes = opts.routes();
    if (routes !== compiledFor) {
      compiledFor = routes;
      compiled = routes.map((route) => ({ route, segments: splitPath(route.path) }));
    }
    const segments = splitPath(path);
    // The most specific pattern that matches the path owns it: "/x/events" is never taken by "/x/:id",
    // so a wrong method on it is a 405, not the parameter route's answer.
    let best: CompiledRoute | undefined;
    const candidates: { c: CompiledRoute; params: Record<string, string> }[] = [];
    for (const c of compiled) {
      const params = matchRoute(c, segments);
      if (!params) continue;
      if (!best || moreSpecific(c, best)) best = c;
      candidates.push({ c, params });
    }
    const owners = candidates.filter(({ c }) => best && !moreSpecific(best, c));
    const allowed: string[] = [];
    for (const { c, params } of owners) {
      if (c.route.method !== raw.method && !(c.route.method === 'GET' && raw.method === 'HEAD')) {
        allowed.push(c.route.method);
        continue;
      }
      await c.route.handler({ raw, method: raw.method ?? 'GET', path, query: new URLSearchParams(target.search), params }, res);
      return;
    }
    const mount = allowed.length === 0 ? findMount(opts.mounts?.() ?? [], path) : undefined;
    if (mount) {
      raw.url = (path.slice(mount.prefix.length) || '/') + (target.search ? `?${target.search}` : '');
      mount.handler(raw, res, prefix + mount.prefix);
      return;
    }
    if (allowed.length > 0) {
      const unique = [...new Set(allowed)];
      res.setHeader('allow', unique.join(', '));
      throw new HttpError(405, `method ${raw.method ?? ''} not allowed; use ${unique.join(' or ')}`);
    }
    throw new HttpError(404, `no route for ${path}`);
  };

  return createServer((raw, res) => {
    handle(raw, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        if (err.status === 413) answerThenDrain(raw, res, err);
        else sendJson(res, err.status, { error: err.reason, ...err.details });
        return;
      }
      opts.logger.error('request failed', { ...errorFields(err), http: { request: { method: raw.method } }, url: { path: raw.url } });
      sendJson(res, 500, { error: 'internal error' });
    });
  });
}

/** Bytes of a refused body still read (and discarded) after a 413, so the client sees the answer. */
export const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** How long a refused body is read after a 413 before the connection is closed anyway. */
export const DRAIN_TIMEOUT_MS = 5000;

/**
 * Answers a 413 and closes the connection only once the client has stopped sending, or after
 * DRAIN_LIMIT_BYTES or DRAIN_TIMEOUT_MS: closing a socket with unread data makes the kernel send a
 * reset, and a client still sending would see that reset instead of the 413.
 */
function answerThenDrain(raw: IncomingMessage, res: ServerResponse, err: HttpError): void {
  const text = JSON.stringify({ error: err.reason, ...err.details });
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.write(text);
  let drained = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    raw.off('data', onData);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) {
      finish();
      raw.socket.destroy();
    }
  };
  const timer = setTimeout(finish, DRAIN_TIMEOUT_MS);
  timer.unref();
  if (raw.complete || raw.readableEnded) {
    finish();
    return;
  }
  raw.on('data', onData);
  raw.once('end', finish);
  raw.once('close', finish);
  raw.resume();
}

/** Parses "HOST:PORT" ("[::1]:9470", ":9470" for all interfaces). */
export function parseListenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--web.listen-address: expected HOST:PORT, got ${JSON.stringify(text)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
