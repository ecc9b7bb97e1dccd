/**
 * A separate process that uploads a body as fast as it can and prints the answer's status, or
 * "error CODE": a client in the test's own process reads the answer too early to show a reset.
 * Usage: node upload-client.ts URL BYTES DECLARE_LENGTH(0|1)
 */
import { request } from 'node:http';

const [url = '', totalText = '0', declare = '0'] = process.argv.slice(2);
const total = Number(totalText);
const req = request(url, { method: 'POST', headers: declare === '1' ? { 'content-length': total } : {} }, (res) => {
  res.resume();
  process.stdout.write(`${res.statusCode ?? 0}\n`);
});
req.on('error', (err: NodeJS.ErrnoException) => process.stdout.write(`error ${err.code ?? err.message}\n`));
const chunk = Buffer.alloc(16 * 1024, 120);
let sent = 0;
const pump = (): void => {
  while (sent < total) {
    sent += chunk.length;
    if (!req.write(chunk)) {
      req.once('drain', pump);
      return;
    }
  }
  req.end();
};
pump();
