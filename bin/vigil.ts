#!/usr/bin/env node
import { ConfigError } from '../core/config';
import { loadConfig } from './parts';
import { createApp } from '../core/app';
import { parseFlags, UsageError, USAGE, type Flags } from '../core/flags';
import { parseListenAddress } from '../core/http-server';
import { createLogger, errorFields } from '../core/logger';
import { PARTS } from './parts';
import { notifyCommand } from '../relay/cli';

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'notify') {
    try {
      return await notifyCommand(argv.slice(1), {
        loadRelayConfig: async (file) => (await loadConfig(file, process.env)).relay,
        now: () => Date.now(),
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`vigil: invalid configuration\n${err.message}\n`);
      return 1;
    }
  }
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`vigil: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let config;
  try {
    config = await loadConfig(flags.configFile, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`vigil: invalid configuration\n${err.message}\n`);
    return 1;
  }
  if (flags.command === 'check-config') {
    process.stdout.write(`${flags.configFile}: configuration is valid\n`);
    return 0;
  }
  let address;
  try {
    address = parseListenAddress(flags.listenAddress);
  } catch (err) {
    process.stderr.write(`vigil: ${(err as Error).message}\n`);
    return 2;
  }
  const logger = createLogger({ level: flags.logLevel ?? config.log.level });
  const app = createApp({
    configFile: flags.configFile,
    config,
    env: process.env,
    logger,
    parts: PARTS,
    routePrefix: flags.routePrefix,
    ...(flags.storagePath !== undefined ? { storagePath: flags.storagePath } : {}),
  });
  try {
    await app.start(address.host, address.port);
  } catch (err) {
    logger.error('Vigil failed to start', errorFields(err));
    await app.stop().catch(() => undefined);
    return 1;
  }
  process.on('SIGHUP', () => {
    app.reload().catch(() => undefined); // refused reloads are logged by the app
  });
  await new Promise<void>((resolveStop) => {
    const shutdown = (signal: string): void => {
      logger.info('shutting down', { event: { action: 'vigil-stopping' }, process: { signal } });
      const deadline = setTimeout(() => {
        logger.error('shutdown deadline passed; exiting');
        process.exit(1);
      }, 10_000);
      deadline.unref();
      app.stop().then(resolveStop, (err: unknown) => {
        logger.error('shutdown failed', errorFields(err));
        resolveStop();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await new Promise<void>((r) => logger.on('finish', r).end());
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
