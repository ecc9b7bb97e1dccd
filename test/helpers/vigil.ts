import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../core/app';
import { parseConfig, type PartList } from '../../core/config';
import { createLogger, type Logger } from '../../core/logger';
import { PARTS } from '../../bin/parts';

export interface RunningVigil {
  readonly app: App;
  readonly url: string;
  readonly dir: string;
  readonly configFile: string;
  readonly logger: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Record<string, string>;
  readonly routePrefix?: string;
  readonly parts?: PartList;
  /** The clock the parts get (Date.now by default). */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** Starts Vigil in this process on 127.0.0.1:0 with the given YAML; storage in a fresh temp dir. */
export async function startVigil(yaml: string, opts: StartOptions = {}): Promise<RunningVigil> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-test-'));
  const configFile = join(dir, 'vigil.yml');
  await writeFile(configFile, yaml);
  const env = opts.env ?? {};
  const parts = opts.parts ?? PARTS;
  const config = parseConfig(yaml, configFile, env, parts);
  const logger = opts.logger ?? createLogger({ level: 'error', silent: true });
  const app = createApp({
    configFile,
    config,
    env,
    logger,
    parts,
    ...(opts.now ? { now: opts.now } : {}),
    routePrefix: opts.routePrefix ?? '',
    storagePath: join(dir, 'data'),
  });
  const address = await app.start('127.0.0.1', 0).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const url = `http://127.0.0.1:${address.port}${opts.routePrefix ?? ''}`.replace(/\/$/, '');
  return {
    app,
    url,
    dir,
    configFile,
    logger,
    async stop() {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
