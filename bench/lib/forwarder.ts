import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopChild, type ChildServer } from './processes';

/**
 * The floor of any relay: a bare forwarder in a process of its own that answers 202 once it has a
 * request's body, then posts the body to the robot on a kept-alive connection, one request at a
 * time. The same two cross-process HTTP hops as Vigil's relay, none of its work (no schema, no
 * queue file, no message to compose, no signing).
 */
const FORWARDER = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const target = new URL(process.env.FORWARD_TO);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(202, { 'content-length': 0 }).end();
    const out = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (r) => r.resume());
    out.on('error', () => undefined);
    out.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

/** Starts the forwarder to `target`; its URL takes the same posts as Vigil's /alerts/<target>. */
export async function startForwarder(target: string): Promise<ChildServer> {
  const child = spawn(process.execPath, ['-e', FORWARDER], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORWARD_TO: target } });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the forwarder exited with ${code} before listening`)));
  });
  lines.close();
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
