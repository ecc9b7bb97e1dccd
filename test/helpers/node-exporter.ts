import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports';

export interface RunningNodeExporter {
  readonly child: ChildProcess;
  /** host:port, as a Prometheus target. */
  readonly target: string;
  readonly url: string;
  stop(): Promise<void>;
}

/** Runs Debian's prometheus-node-exporter (its default collectors unless `args` say otherwise) on 127.0.0.1. */
export async function startNodeExporter(args: readonly string[] = []): Promise<RunningNodeExporter> {
  const port = await freePort();
  const child = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`, ...args], { stdio: 'ignore' });
  const target = `127.0.0.1:${port}`;
  const url = `http://${target}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000, undefined, { ref: false }).then(() => child.kill('SIGKILL'))]);
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus-node-exporter exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/metrics`)).ok) return { child, target, url, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`prometheus-node-exporter on ${target} did not answer in 30 s`);
}
