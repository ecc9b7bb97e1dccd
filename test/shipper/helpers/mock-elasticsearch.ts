import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What one bulk item gets back instead of success. */
export type ItemFault = 400 | 429 | 503;

export interface ReceivedItem {
  readonly op: string;
  readonly index: string;
  /** The _id sent, or the one generated when none was sent. */
  readonly id: string;
  readonly sentId: boolean;
  readonly doc: Record<string, unknown>;
  /** Which attempt for this _id this was (1 = first). */
  readonly attempt: number;
  readonly status: number;
}

/** A request as the stand-in saw it: what the media-type checks read. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly accept: string | undefined;
  readonly contentType: string | undefined;
}

export interface MockElasticsearch {
  readonly url: string;
  /** The server version it claims ("8.15.0" or "9.1.0"); its media-type checks are that major's. */
  readonly version: string;
  /** Every request, in order, with its Accept and Content-Type. */
  readonly requests: SeenRequest[];
  /** Requests refused for their Accept or Content-Type (400 or 406), as that server would. */
  mediaTypeRefusals: number;
  /** When set, a request without exactly this Authorization header gets 401 security_exception. */
  requiredAuthorization: string | undefined;
  /** up: answers; down: drops every connection; slow: answers after delayMs. */
  mode: 'up' | 'down' | 'slow';
  delayMs: number;
  /** When set, every request (not only _bulk) is answered with this status. */
  topLevelStatus: 413 | 429 | 503 | undefined;
  /** When true, _bulk answers 200 with a body that has no per-item results (as a misbehaving proxy might). */
  malformedBulk: boolean;
  /** Decoded _bulk bodies larger than this get 413, as http.max_content_length does. */
  maxBodyBytes: number;
  /** Per-item answer: a fault status, or undefined for success (201, or 409 when the _id exists). */
  itemFault: (doc: Record<string, unknown>, id: string, attempt: number) => ItemFault | undefined;
  /** Every item of every _bulk request, in order, duplicates included. */
  readonly received: ReceivedItem[];
  /** Stored documents: index → _id → document. */
  readonly stored: Map<string, Map<string, Record<string, unknown>>>;
  /** Bodies of PUT requests by path (templates, ILM policies). */
  readonly puts: Map<string, unknown>;
  bulkRequests: number;
  gzipRequests: number;
  storedIds(index?: string): string[];
  close(): Promise<void>;
}

const PRODUCT = { 'x-elastic-product': 'Elasticsearch' };

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...PRODUCT, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(status: number, type: string, reason: string): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

const ITEM_ERRORS: Record<ItemFault, (id: string) => { type: string; reason: string; caused_by?: { type: string; reason: string } }> = {
  400: (id) => ({
    type: 'document_parsing_exception',
    reason: `[1:42] failed to parse field [vigil.count] of type [long] in document with id '${id}'. Preview of field's value: 'many'`,
    caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "many"' },
  }),
  429: () => ({ type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation [write queue full]' }),
  503: () => ({ type: 'unavailable_shards_exception', reason: '[logs][0] primary shard is not active Timeout: [1m]' }),
};

const VENDOR = /^application\/vnd\.elasticsearch\+(json|x-ndjson|yaml|cbor|smile)$/;
const PLAIN = new Set(['application/json', 'application/x-ndjson', 'application/yaml', 'application/cbor', 'application/smile', 'text/plain', '*/*']);

/** The compatible-with version of a media type, null when it asks for none, or "invalid". */
function compatibleWith(value: string): number | null | 'invalid' {
  const [type = '', ...params] = value.split(';').map((p) => p.trim().toLowerCase());
  const compat = params.find((p) => p.startsWith('compatible-with='));
  if (VENDOR.test(type)) return compat ? Number(compat.slice('compatible-with='.length)) : 'invalid';
  if (PLAIN.has(type) && !compat) return null;
  return 'invalid';
}

/**
 * What Elasticsearch (RestCompatibleVersionHelper, ParsedMediaType) answers to these headers: a
 * vendor media type must say compatible-with, the version must be the server's major or the one
 * before it (8 takes 7 or 8, 9 takes 8 or 9), and Accept and Content-Type must ask for the same
 * version when either asks for one. Only the first entry of a comma-separated Accept is read, as
 * the 8.x client sends "...; compatible-with=8,text/plain".
 */
function mediaTypeRefusal(major: number, accept: string | undefined, contentType: string | undefined): { status: number; body: unknown } | undefined {
  const bad = (reason: string): { status: number; body: unknown } => ({
    status: 400,
    body: {
      error: {
        root_cause: [{ type: 'media_type_header_exception', reason: 'Invalid media-type value on headers [Accept, Content-Type]' }],
        type: 'media_type_header_exception',
        reason: 'Invalid media-type value on headers [Accept, Content-Type]',
        caused_by: { type: 'status_exception', reason },
      },
      status: 400,
    },
  });
  const a = accept === undefined || accept === '' ? null : compatibleWith(accept.split(',')[0] ?? '');
  const c = contentType === undefined ? null : compatibleWith(contentType);
  if (c === 'invalid') return { status: 406, body: { error: `Content-Type header [${contentType ?? ''}] is not supported`, status: 406 } };
  if (a === 'invalid') return bad(`Accept header [${accept ?? ''}] is not a supported media type`);
  for (const [name, header, v] of [['Accept', accept, a], ['Content-Type', contentType, c]] as const) {
    if (v !== null && v !== major && v !== major - 1) return bad(`${name} version must be either version ${major} or ${major - 1}, but found ${v}. ${name}=${header ?? ''}`);
  }
  if (contentType !== undefined && (a !== null || c !== null) && a !== c) {
    return bad(
      `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept ?? ''}, Content-Type=${contentType}`,
    );
  }
  return undefined;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A stand-in for Elasticsearch on 127.0.0.1:0 that answers `_bulk` as Elasticsearch does: NDJSON
 * (gzip when content-encoding says so), per-item `create`/`index` results with 201/409/429/400/503
 * and error objects, `errors` true/false, and top-level 413/429/503; plus the template and ILM
 * PUT endpoints and what the client needs to connect.
 */
export async function startMockElasticsearch(opts: { version?: string } = {}): Promise<MockElasticsearch> {
  const sockets = new Set<Socket>();
  const attempts = new Map<string, number>();
  const version = opts.version ?? '9.1.0';
  const major = Number(version.split('.')[0]);
  const mock: MockElasticsearch = {
    url: '',
    version,
    requests: [],
    mediaTypeRefusals: 0,
    requiredAuthorization: undefined,
    mode: 'up',
    delayMs: 0,
    topLevelStatus: undefined,
    malformedBulk: false,
    maxBodyBytes: 100 * 1024 * 1024,
    itemFault: () => undefined,
    received: [],
    stored: new Map(),
    puts: new Map(),
    bulkRequests: 0,
    gzipRequests: 0,
    storedIds(index) {
      const out: string[] = [];
      for (const [name, docs] of this.stored) if (index === undefined || name === index) out.push(...docs.keys());
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const bulk = (body: Buffer, res: ServerResponse, started: number): void => {
    mock.bulkRequests++;
    if (mock.malformedBulk) {
      send(res, 200, { acknowledged: true });
      return;
    }
    const lines = body.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      let action: Record<string, { _index?: string; _id?: string }>;
      try {
        action = JSON.parse(lines[i] as string) as typeof action;
      } catch {
        send(res, 400, errorBody(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}]`));
        return;
      }
      const op = Object.keys(action)[0] ?? 'index';
      const meta = action[op] ?? {};
      const index = meta._index ?? 'unknown';
      const sentId = typeof meta._id === 'string';
      const id = sentId ? (meta._id as string) : randomBytes(10).toString('base64url');
      let doc: Record<string, unknown>;
      let status: number;
      let error: unknown;
      try {
        doc = JSON.parse(lines[i + 1] ?? '') as Record<string, unknown>;
      } catch {
        doc = {};
        status = 400;
        error = { type: 'document_parsing_exception', reason: '[1:1] failed to parse' };
      }
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const fault = error ? undefined : mock.itemFault(doc, id, attempt);
      const docs = mock.stored.get(index) ?? new Map<string, Record<string, unknown>>();
      mock.stored.set(index, docs);
      if (error) status = 400;
      else if (fault !== undefined) {
        status = fault;
        error = { ...ITEM_ERRORS[fault](id), index };
      } else if (op === 'create' && docs.has(id)) {
        status = 409;
        error = { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])`, index, shard: '0' };
      } else {
        status = 201;
        docs.set(id, doc);
      }
      if (status >= 300) errors = true;
      mock.received.push({ op, index, id, sentId, doc, attempt, status });
      items.push({
        [op]: {
          _index: index,
          _id: id,
          status,
          ...(status === 201 ? { _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1 } : { error }),
        },
      });
    }
    send(res, 200, { errors, took: Date.now() - started, items });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    if (mock.mode === 'down') {
      req.socket.destroy();
      return;
    }
    let body = await readAll(req);
    mock.requests.push({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0] ?? '/', accept: req.headers.accept, contentType: req.headers['content-type'] });
    if (mock.requiredAuthorization !== undefined && req.headers.authorization !== mock.requiredAuthorization) {
      const user = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const name = user ? Buffer.from(user, 'base64').toString('utf8').split(':')[0] : undefined;
      const reason = name ? `unable to authenticate user [${name}] for REST request [${req.url ?? ''}]` : `missing authentication credentials for REST request [${req.url ?? ''}]`;
      send(res, 401, errorBody(401, 'security_exception', reason));
      return;
    }
    const refusal = mediaTypeRefusal(major, req.headers.accept, body.length > 0 ? req.headers['content-type'] : undefined);
    if (refusal) {
      mock.mediaTypeRefusals++;
      send(res, refusal.status, refusal.body);
      return;
    }
    if (mock.mode === 'slow') await new Promise((r) => setTimeout(r, mock.delayMs));
    if (mock.topLevelStatus === 413) {
      send(res, 413, undefined);
      return;
    }
    if (mock.topLevelStatus === 429) {
      send(res, 429, errorBody(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'));
      return;
    }
    if (mock.topLevelStatus === 503) {
      send(res, 503, errorBody(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];'));
      return;
    }
    if (req.headers['content-encoding'] === 'gzip') {
      mock.gzipRequests++;
      body = gunzipSync(body);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/_bulk' && (req.method === 'POST' || req.method === 'PUT')) {
      if (body.length > mock.maxBodyBytes) {
        send(res, 413, undefined);
        return;
      }
      bulk(body, res, started);
      return;
    }
    if (req.method === 'PUT' && /^\/(_ilm\/policy|_component_template|_index_template)\/[^/]+$/.test(path)) {
      mock.puts.set(decodeURIComponent(path), JSON.parse(body.toString('utf8')) as unknown);
      send(res, 200, { acknowledged: true });
      return;
    }
    if ((req.method === 'HEAD' || req.method === 'GET') && path.startsWith('/_index_template/')) {
      const found = mock.puts.has(decodeURIComponent(path));
      send(res, found ? 200 : 404, found ? {} : errorBody(404, 'resource_not_found_exception', 'index template not found'));
      return;
    }
    if (path === '/_cluster/health') {
      send(res, 200, { cluster_name: 'mock', status: 'green', number_of_nodes: 1 });
      return;
    }
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, 200, { name: 'mock', cluster_name: 'mock', version: { number: version }, tagline: 'You Know, for Search' });
      return;
    }
    send(res, 404, errorBody(404, 'no_handler_found_exception', `no handler found for uri [${path}] and method [${req.method ?? ''}]`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, errorBody(500, 'mock_failure', String(err))));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (mock as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return mock;
}
