import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, sectionOf, type CoreConfig, type Env, type PartList } from './config';
import { assertDistinctFamilies, CONTENT_TYPE, type FamilyOwner } from './exposition';
import { createHttpServer, HttpError, listen, normalizePrefix, sendJson, sendText, sendTexts, type Mount, type Route } from './http-server';
import { datasetsOf, errorFields, type Logger } from './logger';
import type { Part, PartDefinition, PartSection } from './part';
import { createSelfMetrics, SELF_FAMILIES } from './self-metrics';
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

interface Running {
  readonly def: PartDefinition<PartSection>;
  readonly part: Part<PartSection>;
}

export interface AppOptions {
  readonly configFile: string;
  readonly config: CoreConfig;
  readonly env: Env;
  readonly logger: Logger;
  /** The composition root's list (bin/parts.ts), in start order. */
  readonly parts: PartList;
  /** The clock parts get through their context; Date.now unless a test injects one. */
  readonly now?: () => number;
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
  config(): CoreConfig;
}

/** Core's own families and each part's, by owner, for the duplicate check and the boards' tests. */
export function familyOwners(parts: PartList): FamilyOwner[] {
  return [{ owner: 'core (self metrics)', families: SELF_FAMILIES }, ...parts.map((d) => ({ owner: `part "${d.section}"`, families: d.families, prefixes: d.familyPrefixes ?? [] }))];
}

export function createApp(opts: AppOptions): App {
  const { logger, env } = opts;
  // Two parts serving the same family name would repeat its HELP/TYPE block in /metrics.
  assertDistinctFamilies(familyOwners(opts.parts));
  const self = createSelfMetrics(VERSION);
  const prefix = normalizePrefix(opts.routePrefix);
  let config = opts.config;
  const dataDir = (): string => resolve(opts.storagePath ?? config.storage.path);
  const now = opts.now ?? Date.now;
  /** Running parts with the definitions they came from, in start order. */
  let running: Running[] = [];
  let ready = false;
  let reloading: Promise<void> = Promise.resolve();
  let routes: readonly Route[] = [];
  let mounts: readonly Mount[] = [];
  const services = createServices();
  services.provide(RUNNING_PARTS, () => running.map((r) => r.part.name));

  const builtins: Route[] = [
    {
      method: 'GET',
      path: '/',
      handler: (_req, res) => sendText(res, 200, landingPage(prefix, routes, running.map((r) => r.part.name), mounts), 'text/html; charset=utf-8'),
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        const texts = await Promise.all(running.map(async (r) => r.part.metrics()));
        texts.push(await self.render());
        sendTexts(res, 200, texts, CONTENT_TYPE);
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
    routes = [...builtins, ...running.flatMap((r) => r.part.routes())];
    mounts = running.flatMap((r) => r.part.mounts?.() ?? []);
  };
  refreshRoutes();

  const server = createHttpServer({ routePrefix: prefix, logger, routes: () => routes, mounts: () => mounts });

  /** Starts the named parts in order; `onStarted` hears of each, so a failure can stop those. */
  const startParts = async (cfg: CoreConfig, names: Set<string>, onStarted: (r: Running) => void): Promise<Running[]> => {
    const started: Running[] = [];
    for (const def of opts.parts) {
      if (!names.has(def.section)) continue;
      const part = def.create(sectionOf(cfg, def), { logger, dataDir: dataDir(), env, now, services });
      await part.start();
      const r = { def, part };
      started.push(r);
      onStarted(r);
      logger.info('part started', { event: { action: 'part-started' }, vigil: { part: part.name } });
    }
    return started;
  };

  const enabledNames = (cfg: CoreConfig): Set<string> => new Set(opts.parts.filter((d) => sectionOf(cfg, d).enabled).map((d) => d.section));

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
  const rollBack = async (parts: readonly Running[]): Promise<void> => {
    for (const { def, part } of [...parts].reverse()) {
      await part.reload(sectionOf(config, def)).catch((err: unknown) => {
        logger.error('part failed to return to the previous configuration', { ...errorFields(err), vigil: { part: part.name } });
      });
    }
  };

  const doReload = async (): Promise<void> => {
    let next: CoreConfig;
    try {
      next = await loadConfig(opts.configFile, env, opts.parts);
    } catch (err) {
      return refuse(err);
    }
    const want = enabledNames(next);
    // 1. Parts that stay take the new configuration; if one cannot, those before it go back.
    const kept = running.filter((r) => want.has(r.def.section));
    const reloaded: Running[] = [];
    for (const r of kept) {
      try {
        await r.part.reload(sectionOf(next, r.def));
        reloaded.push(r);
      } catch (err) {
        await rollBack(reloaded);
        return refuse(new ReloadError(opts.configFile, r.part.name, err));
      }
    }
    // 2. Parts switched on start; if one cannot, the new ones stop and the others go back.
    const have = new Set(kept.map((r) => r.def.section));
    const startedNow: Running[] = [];
    let added: Running[];
    try {
      added = await startParts(next, new Set([...want].filter((n) => !have.has(n))), (r) => startedNow.push(r));
    } catch (err) {
      for (const { part } of startedNow.reverse()) await part.stop().catch(() => undefined);
      await rollBack(kept);
      const failed = opts.parts.find((d) => want.has(d.section) && !have.has(d.section) && !startedNow.some((r) => r.def === d));
      return refuse(new ReloadError(opts.configFile, failed?.section ?? 'unknown', err));
    }
    // 3. Parts switched off stop; this cannot fail the reload.
    for (const { def, part } of [...running].reverse()) {
      if (want.has(def.section)) continue;
      await part.stop().catch((err: unknown) => logger.error('part failed to stop', { ...errorFields(err), vigil: { part: part.name } }));
      logger.info('part stopped', { event: { action: 'part-stopped' }, vigil: { part: part.name } });
    }
    running = [...kept, ...added].sort((a, b) => opts.parts.indexOf(a.def) - opts.parts.indexOf(b.def));
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
        running = await startParts(config, enabledNames(config), (r) => running.push(r));
      } catch (err) {
        await app.stop();
        throw err;
      }
      refreshRoutes();
      ready = true;
      logger.info('Vigil is ready', {
        event: { action: 'vigil-started' },
        server: { address: address.address, port: address.port },
        vigil: { parts: running.map((r) => r.part.name), datasets: datasetsOf(opts.parts), route_prefix: prefix || '/' },
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
      for (const { part } of [...running].reverse()) {
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
    parts: () => running.map((r) => r.part),
    config: () => config,
  };
  return app;
}
