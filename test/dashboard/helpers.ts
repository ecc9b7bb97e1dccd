import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const TOKEN = 'portal-test-token';

export interface FakeComponent {
  readonly url: string;
  /** Every path (with query) requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server answering the given paths (exact pathname), 404 otherwise; records every request. */
export async function fakeComponent(routes: Readonly<Record<string, Answer>>): Promise<FakeComponent> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (answer) answer(req, res);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const json = (body: unknown, status = 200): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
export const text = (body: string, status = 200): Answer => (_req, res) => {
  res.statusCode = status;
  res.end(body);
};
/** Never answers (a hung component). */
export const hang: Answer = () => undefined;

/** The answers of healthy components, in their documented shapes. */
export const HEALTHY = {
  grafana: { '/api/health': json({ commit: 'abc', database: 'ok', version: '11.6.0' }) },
  kibana: { '/api/status': json({ name: 'kibana', version: { number: '8.19.2' }, status: { overall: { level: 'available', summary: 'All services are available' } } }) },
  prometheus: { '/-/healthy': text('Prometheus Server is Healthy.\n'), '/api/v1/status/buildinfo': json({ status: 'success', data: { version: '2.53.3' } }) },
  alertmanager: { '/-/healthy': text('OK'), '/api/v2/status': json({ versionInfo: { version: '0.27.0' } }), '/api/v2/alerts': json([]) },
  elasticsearch: { '/_cluster/health': json({ cluster_name: 'es', status: 'yellow' }), '/': json({ version: { number: '9.1.0' } }) },
} as const;

/** GET a page; returns status, headers and body. */
export async function page(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export async function postEvents(vigilUrl: string, events: unknown): Promise<void> {
  const res = await fetch(`${vigilUrl}/api/v1/deployments/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  if (res.status !== 202) throw new Error(`events API answered ${res.status}: ${await res.text()}`);
}

/** The text of the <main> region without tags, for assertions on what a viewer reads. */
export const mainText = (html: string): string =>
  (/<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
