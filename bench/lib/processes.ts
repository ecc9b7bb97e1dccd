import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNodeExporter as startNodeExporterHelper } from '../../test/helpers/node-exporter';
import { freePort } from '../../test/helpers/ports';

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

/** SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000, undefined, { ref: false }).then(() => child.kill('SIGKILL'))]);
}

let built = false;

/** Builds dist/vigil.mjs once per benchmark process, as `npm start` does. */
function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

/** Runs `vigil serve` from the build `npm start` runs, on a free port, and waits until ready. */
export async function startVigilProcess(configFile: string, storagePath: string, env: Record<string, string> = {}): Promise<ChildServer> {
  buildOnce();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/vigil.mjs'), 'serve', `--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.path=${storagePath}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/-/ready`);
  return { child, url, stop: () => stopChild(child) };
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet listening
    }
    await sleep(100);
  }
  await stopChild(child);
  throw new Error(`${url} did not become ready in 30 s`);
}

/** Runs Debian's prometheus-node-exporter on a free port (the tests' helper). */
export async function startNodeExporter(): Promise<ChildServer> {
  const ne = await startNodeExporterHelper();
  return { child: ne.child, url: ne.url, stop: () => ne.stop() };
}
