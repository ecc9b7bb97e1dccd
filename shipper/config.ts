import { z } from 'zod';
import { byteSize, duration } from '../core/duration';

/** What the spool does when a new record would take it past `spool.max_bytes`. */
export const OVERFLOW_POLICIES = ['drop_oldest', 'drop_newest'] as const;

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * The `shipper:` section of vigil.yml. Every default lives here. Where records go is not
 * configured here: ELASTICSEARCH_URL in the environment selects Elasticsearch, otherwise records
 * are written to rotated local NDJSON files that filebeat/filebeat.yml ships.
 */
export const shipperConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** The data stream namespace: logs-vigil.<dataset>-<namespace>. */
    namespace: z
      .string()
      .regex(/^[a-z0-9_]{1,100}$/, 'expected lower-case letters, digits and "_" (an Elasticsearch data stream namespace)')
      .default('default'),
    spool: z
      .strictObject({
        /** Bytes on disk for records not yet acknowledged by Elasticsearch. */
        max_bytes: byteSize.default(GIB),
        /** Size at which a new segment file is started; whole segments are deleted once acknowledged. */
        segment_bytes: byteSize.default(16 * MIB),
        overflow: z.enum(OVERFLOW_POLICIES).default('drop_oldest'),
        /** 0 (the default): never fsync; records survive a killed process, not a power loss. */
        fsync_interval: duration.default(0),
      })
      .prefault({}),
    bulk: z
      .strictObject({
        max_bytes: byteSize.default(5 * MIB),
        max_records: z.number().int().min(1).max(100_000).default(1600),
        /** A partial batch is sent after waiting this long for more records. */
        flush_interval: duration.default(1000),
        concurrency: z.number().int().min(1).max(16).default(2),
        gzip: z.boolean().default(true),
        timeout: duration.default(30_000),
      })
      .prefault({}),
    backoff: z
      .strictObject({
        initial: duration.default(1000),
        max: duration.default(60_000),
      })
      .prefault({}),
    /** While Elasticsearch keeps failing, a "still down" warning with the last reason at most this often (the first failure is logged at once). */
    failure_log_interval: duration.default(60_000),
    /** ILM: indices of Vigil's data streams are deleted this many days after rollover. */
    retention_days: z.number().int().min(1).max(36_500).default(30),
    dead_letter: z
      .strictObject({
        /** Also index permanently rejected records into logs-vigil.dead_letter-<namespace>. */
        data_stream: z.boolean().default(true),
        /** The dead-letter file is rotated once (to .1) past this size. */
        max_bytes: byteSize.default(100 * MIB),
      })
      .prefault({}),
    /** Local NDJSON files under <data>/logs/, used when ELASTICSEARCH_URL is not set. */
    local: z
      .strictObject({
        file_bytes: byteSize.default(64 * MIB),
        max_bytes: byteSize.default(GIB),
      })
      .prefault({}),
    /** Graceful shutdown: what is not acknowledged by then stays in the spool for the next start. */
    shutdown_timeout: duration.default(5000),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.spool.segment_bytes < 4096) {
      ctx.addIssue({ code: 'custom', path: ['spool', 'segment_bytes'], message: 'expected at least 4KiB' });
    }
    if (cfg.spool.max_bytes < 2 * cfg.spool.segment_bytes) {
      ctx.addIssue({ code: 'custom', path: ['spool', 'max_bytes'], message: 'expected at least twice spool.segment_bytes' });
    }
    if (cfg.local.max_bytes < 2 * cfg.local.file_bytes) {
      ctx.addIssue({ code: 'custom', path: ['local', 'max_bytes'], message: 'expected at least twice local.file_bytes' });
    }
    if (cfg.backoff.max < cfg.backoff.initial) {
      ctx.addIssue({ code: 'custom', path: ['backoff', 'max'], message: 'expected at least backoff.initial' });
    }
    if (cfg.bulk.max_bytes < 1024) {
      ctx.addIssue({ code: 'custom', path: ['bulk', 'max_bytes'], message: 'expected at least 1KiB' });
    }
  });

export type ShipperConfig = z.output<typeof shipperConfigSchema>;
