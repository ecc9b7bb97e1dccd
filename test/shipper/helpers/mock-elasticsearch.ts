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

export interface MockElasticsearch {
  readonly url: string;
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
export async function startMockElasticsearch(): Promise<MockElasticsearch> {
  const sockets = new Set<Socket>();
  const attempts = new Map<string, number>();
  const mock: MockElasticsearch = {
    url: '',
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
      send(res, 200, { name: 'mock', cluster_name: 'mock', version: { number: '9.1.0' }, tagline: 'You Know, for Search' });
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
