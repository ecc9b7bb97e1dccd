import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { changed } from '../core/changed';
import { APP_DATASET } from '../core/logger';
import { definePart, type Part, type PartContext } from '../core/part';
import { createBulkSender, type BulkSender } from './bulk-sender';
import { shipperConfigSchema, type ShipperConfig } from './config';
import { openDeadLetterFile, type DeadLetterFile } from './dead-letter';
import { ASSETS_DIR, installAssets, loadAssets, type EsAssets } from './es-assets';
import { createEsClient, credentials, esSettingsFromEnv, type EsSettings } from './es-settings';
import { createShipperMetrics, SHIPPER_FAMILIES, type ShipperMetricSources, type ShipperMetrics } from './metrics';
import { createFailureReporter, type FailureReporter } from './failure-report';
import { sendJson, type Route } from '../core/http-server';
import { openSegmentLog, type SegmentLog } from '../core/spool/segment-log';
import { plainLine, spoolLine, SpoolTransport } from './spool-transport';

/** Where the shipper keeps its files below the data directory. */
export const SPOOL_DIR = 'spool';
export const LOCAL_LOGS_DIR = 'logs';
export const DEAD_LETTER_FILE = join('dead-letter', 'dead-letter.ndjson');

const DROP_WARN_INTERVAL_MS = 10_000;

/**
 * The log shipper: a winston transport that appends every record to a durable on-disk spool, and
 * either a bulk sender to Elasticsearch (ELASTICSEARCH_URL set) or rotated local NDJSON files that
 * Filebeat ships (filebeat/filebeat.yml).
 */
export interface Shipper extends Part<ShipperConfig> {
  transport(): SpoolTransport | undefined;
  /** Bytes of records read from the spool and held in memory until acknowledged. */
  inFlightBytes(): number;
}

export interface ShipperOptions {
  /** The templates and ILM policy (elasticsearch/ at the repository root by default). */
  readonly assetsDir?: string;
}

/** What a sender needs that can fail to load; built before a running sender is touched. */
interface SenderParts {
  readonly client: Client;
  readonly assets: EsAssets;
}

export function createShipper(initial: ShipperConfig, ctx: PartContext, opts: ShipperOptions = {}): Shipper {
  const { logger } = ctx;
  let cfg = initial;
  let log: SegmentLog | undefined;
  let transport: SpoolTransport | undefined;
  let sender: BulkSender | undefined;
  let client: Client | undefined;
  let deadLetter: DeadLetterFile | undefined;
  let settings: EsSettings | undefined;
  let failures: FailureReporter | undefined;
  let droppedSinceWarn = 0;
  let lastDropWarn = 0;

  const metricsSources: ShipperMetricSources = {
    spoolBytes: () => log?.bytes() ?? 0,
    up: () => (settings ? (sender?.up() ?? false) : log !== undefined),
    async oldestUnackedAgeSeconds() {
      if (!log || !settings) return 0;
      const pos = log.checkpoint();
      const r = await log.read(pos, 64 * 1024, 1);
      const line = r.records[0]?.data.toString('utf8');
      if (line === undefined) return 0;
      try {
        const doc = JSON.parse(line.slice(line.indexOf('\t') + 1)) as { '@timestamp'?: unknown };
        const ts = typeof doc['@timestamp'] === 'string' ? Date.parse(doc['@timestamp']) : NaN;
        return Number.isFinite(ts) ? Math.max(0, (Date.now() - ts) / 1000) : 0;
      } catch {
        return 0;
      }
    },
  };
  const metrics: ShipperMetrics = createShipperMetrics(metricsSources);

  /** Called inside append (the logger's hot path): counts now, logs later and rarely. */
  const dropped = (n: number): void => {
    metrics.count('dropped', n);
    droppedSinceWarn += n;
    const now = Date.now();
    if (now - lastDropWarn < DROP_WARN_INTERVAL_MS) return;
    lastDropWarn = now;
    const count = droppedSinceWarn;
    droppedSinceWarn = 0;
    setImmediate(() =>
      logger.warn(`log spool full: ${count} records dropped (spool.overflow: ${cfg.spool.overflow})`, {
        event: { action: 'shipper-spool-overflow' },
        vigil: { shipper: { dropped: count, max_bytes: cfg.spool.max_bytes } },
      }),
    );
  };

  /** One reporter for the part's life, so the last error outlives a reload's new sender. */
  const reporter = (s: EsSettings): FailureReporter =>
    (failures ??= createFailureReporter({
      logger,
      secrets: credentials(s),
      interval: () => cfg.failure_log_interval,
      now: () => ctx.now(),
    }));

  /** GET /api/v1/shipper/status: where records go, whether the output is up, and the last failure. */
  const status: Route = {
    method: 'GET',
    path: '/api/v1/shipper/status',
    handler: async (_req, res) =>
      sendJson(res, 200, {
        output: settings ? 'elasticsearch' : 'local_files',
        ...(settings ? { url: settings.url } : { directory: join(ctx.dataDir, LOCAL_LOGS_DIR) }),
        up: settings ? (sender?.up() ?? false) : log !== undefined,
        failed_requests_in_a_row: failures?.failing() ?? 0,
        last_error: failures?.last() ?? null,
        spool_bytes: log?.bytes() ?? 0,
        oldest_unacked_age_seconds: await metricsSources.oldestUnackedAgeSeconds(),
      }),
  };

  const buildSender = async (c: ShipperConfig, s: EsSettings): Promise<SenderParts> => {
    const assets = await loadAssets(c.retention_days, opts.assetsDir ?? ASSETS_DIR);
    return { assets, client: await createEsClient(s, { timeoutMs: c.bulk.timeout }) };
  };

  /** Starts a sender on parts from buildSender: no I/O beyond opening the dead-letter file at the first start. */
  const startSender = (c: ShipperConfig, { client: es, assets }: SenderParts, spool: SegmentLog, s: EsSettings): void => {
    client = es;
    deadLetter ??= openDeadLetterFile(join(ctx.dataDir, DEAD_LETTER_FILE), c.dead_letter.max_bytes);
    sender = createBulkSender({
      log: spool,
      client: es,
      namespace: c.namespace,
      maxBytes: c.bulk.max_bytes,
      maxRecords: c.bulk.max_records,
      flushIntervalMs: c.bulk.flush_interval,
      concurrency: c.bulk.concurrency,
      timeoutMs: c.bulk.timeout,
      gzip: c.bulk.gzip,
      backoffInitialMs: c.backoff.initial,
      backoffMaxMs: c.backoff.max,
      deadLetter,
      deadLetterDataStream: c.dead_letter.data_stream,
      metrics,
      logger,
      reporter: reporter(s),
      prepare: (signal) => installAssets(es, assets, signal),
    });
    sender.start();
  };

  const stopSender = async (): Promise<void> => {
    await sender?.stop(cfg.shutdown_timeout);
    sender = undefined;
    await client?.close();
    client = undefined;
  };

  return {
    name: 'shipper',
    routes: () => [status],
    transport: () => transport,
    inFlightBytes: () => sender?.inFlightBytes() ?? 0,
    async start() {
      settings = await esSettingsFromEnv(ctx.env);
      const spool = settings
        ? await openSegmentLog({
            dir: join(ctx.dataDir, SPOOL_DIR),
            prefix: 'segment-',
            segmentBytes: cfg.spool.segment_bytes,
            maxBytes: cfg.spool.max_bytes,
            overflow: cfg.spool.overflow,
            fsyncIntervalMs: cfg.spool.fsync_interval,
            checkpoint: true,
            onDrop: dropped,
          })
        : await openSegmentLog({
            dir: join(ctx.dataDir, LOCAL_LOGS_DIR),
            prefix: 'vigil-',
            segmentBytes: cfg.local.file_bytes,
            maxBytes: cfg.local.max_bytes,
            overflow: 'drop_oldest',
            fsyncIntervalMs: cfg.spool.fsync_interval,
            checkpoint: false,
          });
      log = spool;
      if (settings) {
        try {
          startSender(cfg, await buildSender(cfg, settings), spool, settings);
        } catch (err) {
          spool.close();
          log = undefined;
          throw err;
        }
      } else {
        // Local files: a record counts as delivered once written; Filebeat takes it from there.
        spool.onAppend((records) => metrics.count('acked', records));
      }
      transport = new SpoolTransport({
        log: spool,
        line: settings ? spoolLine : plainLine,
        onError: (err, records) => {
          dropped(records);
          process.stderr.write(`vigil: cannot append to the log spool: ${err.message}\n`);
        },
      });
      logger.add(transport);
      logger.info(settings ? 'shipping logs to Elasticsearch' : 'writing logs to local NDJSON files for Filebeat', {
        event: { action: 'shipper-started' },
        ...(settings ? { url: { full: settings.url } } : { file: { directory: join(ctx.dataDir, LOCAL_LOGS_DIR) } }),
      });
    },
    async reload(next: ShipperConfig) {
      const spoolChanged = changed([cfg.spool, cfg.local], [next.spool, next.local]);
      const senderChanged = changed({ ...cfg, spool: 0, local: 0 }, { ...next, spool: 0, local: 0 });
      if (spoolChanged) {
        logger.warn('shipper.spool and shipper.local changes take effect at the next start', { event: { action: 'shipper-reload' } });
      }
      const keep = { spool: cfg.spool, local: cfg.local };
      if (senderChanged && settings && log) {
        const nextCfg = { ...next, ...keep };
        let parts: SenderParts;
        try {
          // Everything that can fail comes first; the running sender is left alone until it has worked.
          parts = await buildSender(nextCfg, settings);
        } catch (err) {
          throw new Error(`shipper: cannot apply the new configuration, the previous one keeps shipping: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        await stopSender();
        cfg = nextCfg;
        startSender(cfg, parts, log, settings);
      } else cfg = { ...next, ...keep };
    },
    async stop() {
      if (transport) logger.remove(transport);
      transport = undefined;
      await stopSender();
      deadLetter?.close();
      deadLetter = undefined;
      log?.close();
      log = undefined;
    },
    metrics: () => metrics.registry.metrics(),
  };
}

export const shipperPart = definePart({
  section: 'shipper',
  schema: shipperConfigSchema,
  /** The shipper's own warnings are the app's; dead letters name their own dataset (dead-letter.ts). */
  dataset: APP_DATASET,
  families: SHIPPER_FAMILIES,
  create: (section, ctx) => createShipper(section, ctx),
});
