import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(import.meta.dirname, '../..');

/** Resident set size of a process in bytes, from /proc/PID/status. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

/** Runs `vigil serve` as its own process (as users run it) and waits for its ready log line. */
export async function startVigilProcess(configFile: string, storagePath: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bin/vigil.ts'), 'serve', `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${storagePath}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /"message":"Vigil is ready".*?"port":(\d+)/.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`vigil exited with ${code}: ${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** Runs Debian's prometheus-node-exporter on a free port. */
export async function startNodeExporter(port: number): Promise<ChildServer> {
  const child = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/metrics`)).ok) return { child, url, stop: () => stopChild(child) };
    } catch {
      // not yet listening
    }
    await sleep(100);
  }
  await stopChild(child);
  throw new Error('prometheus-node-exporter did not start');
}
