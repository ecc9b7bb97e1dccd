import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Env, type VigilConfig } from './config';
import { CONTENT_TYPE } from './exposition';
import { createHttpServer, HttpError, listen, normalizePrefix, sendJson, sendText, type Mount, type Route } from './http-server';
import { errorFields, type Logger } from './logger';
import type { Part, PartDefinition } from './part';
import { createSelfMetrics } from './self-metrics';
import { landingPage } from './landing-page';
import { createServices, RUNNING_PARTS } from './services';

export const VERSION = '0.1.0';

/** A valid file that a part could not apply (an unreadable secret file, say); nothing changed. */
export class ReloadError extends Error {
  constructor(file: string, part: string, cause: unknown) {
    super(`${file}: ${part}: ${cause instanceof Error ? cause.message : String(cause)}; the previous configuration keeps running`);
    this.name = 'ReloadError';
  }
}

export interface AppOptions {
  readonly configFile: string;
  readonly config: VigilConfig;
  readonly env: Env;
  readonly logger: Logger;
  readonly parts: readonly PartDefinition[];
  readonly routePrefix: string;
  /** --storage.path; overrides storage.path of the config file when given. */
  readonly storagePath?: string;
}

export interface App {
  readonly server: Server;
  start(host: string, port: number): Promise<AddressInfo>;
  /** Reads the config file again; an invalid file throws ConfigError and changes nothing. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  parts(): readonly Part[];
  config(): VigilConfig;
}

export function createApp(opts: AppOptions): App {
  const { logger, env } = opts;
  const self = createSelfMetrics(VERSION);
  const prefix = normalizePrefix(opts.routePrefix);
  let config = opts.config;
  const dataDir = (): string => resolve(opts.storagePath ?? config.storage.path);
  let running: Part[] = [];
  let ready = false;
  let reloading: Promise<void> = Promise.resolve();
  let routes: readonly Route[] = [];
  let mounts: readonly Mount[] = [];
  const services = createServices();
  services.provide(RUNNING_PARTS, () => running.map((p) => p.name));

  const builtins: Route[] = [
    {
      method: 'GET',
      path: '/',
      handler: (_req, res) => sendText(res, 200, landingPage(prefix, routes, running.map((p) => p.name), mounts), 'text/html; charset=utf-8'),
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        const texts = await Promise.all(running.map(async (p) => p.metrics()));
        texts.push(await self.render());
        sendText(res, 200, texts.join(''), CONTENT_TYPE);
      },
    },
    { method: 'GET', path: '/-/healthy', handler: (_req, res) => sendText(res, 200, 'Vigil is Healthy.\n') },
    {
      method: 'GET',
      path: '/-/ready',
      handler: (_req, res) => (ready ? sendText(res, 200, 'Vigil is Ready.\n') : sendText(res, 503, 'Vigil is not ready.\n')),
    },
    {
      method: 'POST',
      path: '/-/reload',
      handler: async (_req, res) => {
        try {
          await app.reload();
        } catch (err) {
          if (err instanceof ConfigError || err instanceof ReloadError) throw new HttpError(400, err.message);
          throw err;
        }
        sendJson(res, 200, { status: 'reloaded' });
      },
    },
  ];

  const refreshRoutes = (): void => {
    routes = [...builtins, ...running.flatMap((p) => p.routes())];
    mounts = running.flatMap((p) => p.mounts?.() ?? []);
  };
  refreshRoutes();

  const server = createHttpServer({ routePrefix: prefix, logger, routes: () => routes, mounts: () => mounts });

  /** Starts the named parts in order; `onStarted` hears of each, so a failure can stop those. */
  const startParts = async (cfg: VigilConfig, names: Set<string>, onStarted: (part: Part) => void): Promise<Part[]> => {
    const started: Part[] = [];
    for (const def of opts.parts) {
      if (!names.has(def.name)) continue;
      const part = def.create(cfg, { logger, dataDir: dataDir(), env, services });
      await part.start();
      started.push(part);
      onStarted(part);
      logger.info('part started', { event: { action: 'part-started' }, vigil: { part: part.name } });
    }
    return started;
  };

  const enabledNames = (cfg: VigilConfig): Set<string> => new Set(opts.parts.filter((d) => d.enabled(cfg)).map((d) => d.name));

  const refuse = (err: unknown): never => {
    self.reloaded(false);
    logger.error('configuration reload refused; the previous configuration keeps running', {
      ...errorFields(err),
      event: { action: 'config-reload-failed' },
      file: { path: opts.configFile },
    });
    throw err;
  };

  /** Puts parts that already took the new configuration back on the one still in force. */
  const rollBack = async (parts: readonly Part[]): Promise<void> => {
    for (const part of [...parts].reverse()) {
      await part.reload(config).catch((err: unknown) => {
        logger.error('part failed to return to the previous configuration', { ...errorFields(err), vigil: { part: part.name } });
      });
    }
  };

  const doReload = async (): Promise<void> => {
    let next: VigilConfig;
    try {
      next = await loadConfig(opts.configFile, env);
    } catch (err) {
      return refuse(err);
    }
    const want = enabledNames(next);
    // 1. Parts that stay take the new configuration; if one cannot, those before it go back.
    const kept = running.filter((p) => want.has(p.name));
    const reloaded: Part[] = [];
    for (const part of kept) {
      try {
        await part.reload(next);
        reloaded.push(part);
      } catch (err) {
        await rollBack(reloaded);
        return refuse(new ReloadError(opts.configFile, part.name, err));
      }
    }
    // 2. Parts switched on start; if one cannot, the new ones stop and the others go back.
    const have = new Set(kept.map((p) => p.name));
    const startedNow: Part[] = [];
    let added: Part[];
    try {
      added = await startParts(next, new Set([...want].filter((n) => !have.has(n))), (part) => startedNow.push(part));
    } catch (err) {
      for (const part of startedNow.reverse()) await part.stop().catch(() => undefined);
      await rollBack(kept);
      const failed = opts.parts.find((d) => want.has(d.name) && !have.has(d.name) && !startedNow.some((p) => p.name === d.name));
      return refuse(new ReloadError(opts.configFile, failed?.name ?? 'unknown', err));
    }
    // 3. Parts switched off stop; this cannot fail the reload.
    for (const part of [...running].reverse()) {
      if (want.has(part.name)) continue;
      await part.stop().catch((err: unknown) => logger.error('part failed to stop', { ...errorFields(err), vigil: { part: part.name } }));
      logger.info('part stopped', { event: { action: 'part-stopped' }, vigil: { part: part.name } });
    }
    const order = opts.parts.map((d) => d.name);
    running = [...kept, ...added].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    config = next;
    refreshRoutes();
    self.reloaded(true);
    logger.info('configuration reloaded', { event: { action: 'config-reloaded' }, file: { path: opts.configFile } });
  };

  const app: App = {
    server,
    async start(host, port) {
      await mkdir(dataDir(), { recursive: true });
      const address = await listen(server, host, port);
      try {
        running = await startParts(config, enabledNames(config), (part) => running.push(part));
      } catch (err) {
        await app.stop();
        throw err;
      }
      refreshRoutes();
      ready = true;
      logger.info('Vigil is ready', {
        event: { action: 'vigil-started' },
        server: { address: address.address, port: address.port },
        vigil: { parts: running.map((p) => p.name), route_prefix: prefix || '/' },
      });
      return address;
    },
    reload() {
      const next = reloading.then(doReload, doReload);
      reloading = next.catch(() => undefined);
      return next;
    },
    async stop() {
      ready = false;
      const closed = new Promise<void>((res) => server.close(() => res()));
      server.closeIdleConnections();
      for (const part of [...running].reverse()) {
        try {
          await part.stop();
        } catch (err) {
          logger.error('part failed to stop', { ...errorFields(err), vigil: { part: part.name } });
        }
      }
      running = [];
      self.stop();
      server.closeAllConnections();
      await closed;
    },
    parts: () => running,
    config: () => config,
  };
  return app;
}
