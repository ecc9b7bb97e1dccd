import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger } from '../../../core/logger';
import { shipperConfigSchema } from '../../../shipper/config';
import { createShipper, type ShipperOptions } from '../../../shipper/part';

export interface TestShipper {
  readonly dir: string;
  readonly logger: Logger;
  readonly shipper: ReturnType<typeof createShipper>;
  metric(name: string, labels?: string): Promise<number>;
  /** Stops the shipper; the temp dir stays for a restart until cleanup(). */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Fast retries and flushes so tests are quick; anything else comes from the schema defaults. */
export const FAST = {
  bulk: { flush_interval: '20ms' },
  backoff: { initial: '20ms', max: '100ms' },
  shutdown_timeout: '500ms',
};

/** A shipper on its own silent logger (level debug), storing under `dir` (a fresh temp dir by default). */
export async function startShipper(env: Record<string, string>, section: unknown = FAST, dir?: string, options: ShipperOptions = {}): Promise<TestShipper> {
  const dataDir = dir ?? (await mkdtemp(join(tmpdir(), 'vigil-shipper-')));
  const logger = createLogger({ level: 'debug', silent: true });
  const shipper = createShipper(shipperConfigSchema.parse(section), { logger, dataDir, env, now: Date.now }, options);
  await shipper.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await shipper.stop();
  };
  return {
    dir: dataDir,
    logger,
    shipper,
    async metric(name, labels = '') {
      const text = await shipper.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
      if (line === undefined) throw new Error(`no sample ${name}${labels} in\n${text}`);
      return Number(line.split(' ')[1]);
    },
    stop,
    async cleanup() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` is true; fails with `what` after `limitMs` (a guard, not a timing assertion). */
export async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Logs n records with a sequence number `vigil.seq` (from `from`), yielding now and then. */
export async function logRecords(logger: Logger, n: number, from = 0, dataset = 'vigil.app'): Promise<void> {
  for (let i = from; i < from + n; i++) {
    logger.info(`record ${i}`, { event: { dataset, action: 'test-record' }, vigil: { seq: i } });
    if (i % 500 === 499) await sleep(0);
  }
}

/** The test sequence number of a record, or -1 for the shipper's own records. */
export function seqOf(doc: Record<string, unknown>): number {
  const seq = (doc.vigil as { seq?: unknown } | undefined)?.seq;
  return typeof seq === 'number' ? seq : -1;
}
