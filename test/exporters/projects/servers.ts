import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/projects');

export interface Running {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server | TcpServer, sockets: Set<Socket>): Promise<Running> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A real HTTP server on 127.0.0.1:0. */
export function httpServer(handler: RequestListener): Promise<Running> {
  return listen(createHttpServer(handler), new Set());
}

/** A real HTTPS server with the self-signed certificate of test/fixtures/projects. */
export function httpsServer(handler: RequestListener): Promise<Running> {
  const server = createHttpsServer({ key: readFileSync(join(FIXTURES, 'key.pem')), cert: readFileSync(join(FIXTURES, 'cert.pem')) }, handler);
  return listen(server, new Set());
}

/** Accepts connections and never answers. */
export function silentServer(onConnection: () => void = () => undefined): Promise<Running> {
  return listen(createTcpServer(onConnection), new Set());
}

/** A port nothing listens on: bound, then closed. */
export async function closedPort(): Promise<number> {
  const s = await silentServer();
  await s.close();
  return s.port;
}
