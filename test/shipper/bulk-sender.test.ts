import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../core/logger';
import { createBulkSender } from '../../shipper/bulk-sender';
import { openDeadLetterFile } from '../../shipper/dead-letter';
import { createEsClient } from '../../shipper/es-settings';
import { createShipperMetrics } from '../../shipper/metrics';
import { createFailureReporter } from '../../shipper/failure-report';
import { openSegmentLog, type SegmentLog } from '../../core/spool/segment-log';
import { startMockElasticsearch } from './helpers/mock-elasticsearch';
import { until } from './helpers/shipper';

test('a stopped bulk sender removes its append listener, so reloads do not leak senders', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-sender-'));
  const es = await startMockElasticsearch();
  const spool = await openSegmentLog({ dir, prefix: 'segment-', segmentBytes: 4096, maxBytes: 64 * 1024, overflow: 'drop_oldest', fsyncIntervalMs: 0, checkpoint: true });
  const deadLetter = openDeadLetterFile(join(dir, 'dead-letter.ndjson'), 1024 * 1024);
  const client = await createEsClient({ url: es.url }, { timeoutMs: 5000 });
  let listeners = 0;
  const log: SegmentLog = {
    ...spool,
    onAppend(listener) {
      listeners++;
      const off = spool.onAppend(listener);
      return () => {
        listeners--;
        off();
      };
    },
  };
  try {
    const metrics = createShipperMetrics({ spoolBytes: () => 0, up: () => true, oldestUnackedAgeSeconds: () => Promise.resolve(0) });
    const logger = createLogger({ level: 'info', silent: true });
    for (let i = 0; i < 3; i++) {
      const sender = createBulkSender({
        log, client, namespace: 'default', maxBytes: 64 * 1024, maxRecords: 100, flushIntervalMs: 10, concurrency: 1, gzip: false, timeoutMs: 5000,
        backoffInitialMs: 10, backoffMaxMs: 50, deadLetter, deadLetterDataStream: false, metrics, logger, prepare: () => Promise.resolve(),
        reporter: createFailureReporter({ logger, secrets: [], interval: () => 60_000, now: Date.now }),
      });
      sender.start();
      assert.equal(listeners, 1, 'one live sender, one listener');
      spool.append([`vigil.app\t{"vigil":{"seq":${i}}}`]);
      await until(`record ${i} stored`, () => es.storedIds().length === i + 1);
      await sender.stop(1000);
      assert.equal(listeners, 0, 'the stopped sender no longer listens');
    }
  } finally {
    await client.close();
    deadLetter.close();
    spool.close();
    await es.close();
    await rm(dir, { recursive: true, force: true });
  }
});
