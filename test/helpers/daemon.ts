import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Daemon {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Polled until it answers 2xx. */
  readonly readyUrl: string;
  readonly readyTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Copies its output to this process's stderr as it comes (for `npm run stack`). */
  readonly echo?: boolean;
}

/** Starts a server program (Prometheus, Alertmanager, VictoriaMetrics) and waits until it is ready. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  let output = '';
  const child = spawn(opts.command, [...opts.args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  const collect = (d: Buffer): void => {
    output += d.toString();
    if (opts.echo) process.stderr.write(d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('close', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = sleep(5000, undefined, { ref: false }).then(() => child.kill('SIGKILL'));
    await Promise.race([exited, timer]);
    await exited;
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (spawnError) throw new Error(`${opts.command} could not start: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`${opts.command} exited early (code ${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(opts.readyUrl);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.command} not ready at ${opts.readyUrl} after ${opts.readyTimeoutMs ?? 20_000} ms:\n${output}`);
    }
    await sleep(100);
  }
  return { child, logs: () => output, stop };
}
