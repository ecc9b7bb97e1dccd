import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import winston from 'winston';
import { createApp, type App } from '../../../core/app';
import { parseConfig } from '../../../bin/parts';
import { createLogger, type Logger } from '../../../core/logger';
import { createJournal } from '../../../exporters/deployments/journal';
import type { RunRecord } from '../../../exporters/deployments/model';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { config, postEvents, scrape, series, TOKEN } from './helpers';

/** Vigil on a given storage directory, so a second start reads what the first one wrote. */
async function startOn(storage: string, yaml = config(), logger: Logger = createLogger({ level: 'error', silent: true }), now?: () => number): Promise<{ app: App; url: string }> {
  const env = { VIGIL_API_TOKEN: TOKEN };
  const app = createApp({
    configFile: join(storage, 'vigil.yml'),
    config: parseConfig(yaml, 'vigil.yml', env),
    env,
    logger,
    parts: [deploymentsPart],
    ...(now ? { now } : {}),
    routePrefix: '',
    storagePath: storage,
  });
  const address = await app.start('127.0.0.1', 0);
  return { app, url: `http://127.0.0.1:${address.port}` };
}

const started = (id: string, project = 'shop') => ({ type: 'deployment_started', project, deployment_id: id, environment: 'production' });
const completed = (id: string, project = 'shop') => ({ type: 'deployment_completed', project, deployment_id: id, environment: 'production', status: 'success', duration_seconds: 5 });

function run(id: string, n: number): RunRecord {
  return {
    id,
    source: 'api',
    kind: 'pipeline',
    project: 'p',
    workflow: 'w',
    run_id: id,
    run_attempt: 1,
    environment: null,
    status: 'completed',
    conclusion: 'success',
    created_at: null,
    started_at: null,
    finished_at: null,
    duration_seconds: n,
    branch: null,
    commit: null,
    commit_timestamp: null,
    actor: null,
    html_url: null,
    jobs: [],
    logs: [],
    updated_at: new Date(0).toISOString(),
  };
}

describe('deployment history', () => {
  it('survives a restart, and a completion redelivered after it is not counted again', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'vigil-deploy-history-'));
    try {
      const first = await startOn(storage);
      assert.equal((await postEvents(first.url, [started('1'), completed('1'), started('2')])).status, 202);
      await first.app.stop();

      const second = await startOn(storage);
      try {
        const res = (await (await fetch(`${second.url}/api/v1/deployments?project=shop`)).json()) as { runs: { id: string; status: string }[] };
        assert.deepEqual(
          res.runs.map((r) => [r.id, r.status]),
          [
            ['shop:2', 'in_progress'],
            ['shop:1', 'completed'],
          ],
        );
        const again = await postEvents(second.url, completed('1'));
        assert.deepEqual(await again.json(), { accepted: 0, duplicates: 1, ignored: 0 });
        const m = await scrape(second.url);
        assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'shop', workflow: 'pipeline', conclusion: 'success' })), undefined);
        assert.equal(m.get(series('deployments_in_progress', { project: 'shop', workflow: 'pipeline' })), 1, 'the restored run still in progress');
      } finally {
        await second.app.stop();
      }
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('a run whose completion never came stops counting as in progress after stale_after, also across a restart', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'vigil-deploy-history-'));
    let clock = Date.parse('2024-05-01T12:00:00Z');
    const now = (): number => clock;
    const yaml = config('  history:\n    stale_after: 1h\n');
    const inProgress = async (url: string): Promise<number | undefined> => (await scrape(url)).get(series('deployments_in_progress', { project: 'shop', workflow: 'pipeline' }));
    try {
      const first = await startOn(storage, yaml, undefined, now);
      assert.equal((await postEvents(first.url, started('old'))).status, 202);
      clock += 50 * 60_000;
      assert.equal((await postEvents(first.url, started('new'))).status, 202);
      assert.equal(await inProgress(first.url), 2);
      await first.app.stop();
      // 61 minutes after "old" last changed, 11 after "new": the restored "old" is stale.
      clock += 11 * 60_000;
      const second = await startOn(storage, yaml, undefined, now);
      try {
        assert.equal(await inProgress(second.url), 1);
        // No event meanwhile: the text is rendered again after a minute of the part's clock.
        clock += 50 * 60_000;
        assert.equal(await inProgress(second.url), 0);
      } finally {
        await second.app.stop();
      }
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('keeps at most max_runs runs in memory and on disk; the list filters by project and limit', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'vigil-deploy-history-'));
    try {
      const yaml = config('  history:\n    max_runs: 5\n    segment_size: 2KiB\n    flush_interval: 10ms\n');
      const first = await startOn(storage, yaml);
      for (let i = 0; i < 30; i++) {
        assert.equal((await postEvents(first.url, [started(String(i), i % 2 ? 'odd' : 'even'), completed(String(i), i % 2 ? 'odd' : 'even')])).status, 202);
        if (i % 10 === 9) await new Promise((r) => setTimeout(r, 30));
      }
      const list = (await (await fetch(`${first.url}/api/v1/deployments?limit=100`)).json()) as { runs: { id: string }[] };
      assert.deepEqual(
        list.runs.map((r) => r.id),
        ['odd:29', 'even:28', 'odd:27', 'even:26', 'odd:25'],
      );
      const odd = (await (await fetch(`${first.url}/api/v1/deployments?project=odd&limit=2`)).json()) as { runs: { id: string }[] };
      assert.deepEqual(
        odd.runs.map((r) => r.id),
        ['odd:29', 'odd:27'],
      );
      assert.equal((await fetch(`${first.url}/api/v1/deployments?limit=0`)).status, 400);
      assert.equal((await fetch(`${first.url}/api/v1/deployments/none:1`)).status, 404);
      await first.app.stop();

      const dir = join(storage, 'deployments');
      const files = await readdir(dir);
      let bytes = 0;
      for (const f of files) bytes += (await stat(join(dir, f))).size;
      assert.ok(bytes < 2048 + 5 * 1024, `journal bounded: ${bytes} bytes in ${files.join(', ')}`);

      const second = await startOn(storage, yaml);
      try {
        const again = (await (await fetch(`${second.url}/api/v1/deployments?limit=100`)).json()) as { runs: { id: string }[] };
        assert.deepEqual(again.runs.map((r) => r.id), list.runs.map((r) => r.id));
      } finally {
        await second.app.stop();
      }
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('the journal skips a torn last line, keeps the last record of a run, and compacts to one snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-journal-'));
    try {
      const journal = createJournal(dir);
      await journal.append([run('a', 1), run('b', 1)]);
      await journal.append([run('a', 2)]);
      await appendFile(join(dir, (await readdir(dir))[0] as string), '{"id":"c","proj');
      const loaded = await createJournal(dir).load(10);
      assert.equal(loaded.skipped, 1);
      assert.deepEqual(
        loaded.runs.map((r) => [r.id, r.duration_seconds]),
        [
          ['b', 1],
          ['a', 2],
        ],
      );
      const bounded = await createJournal(dir).load(1);
      assert.deepEqual(bounded.runs.map((r) => r.id), ['a']);

      await writeFile(join(dir, 'segment-00000009.ndjson.tmp'), '{"id":"half-written"');
      const j2 = createJournal(dir);
      await j2.load(10);
      await j2.compact([run('z', 9)]);
      assert.equal(j2.appended, 0);
      const after = await readdir(dir);
      assert.equal(after.length, 1);
      assert.deepEqual((await createJournal(dir).load(10)).runs.map((r) => r.id), ['z']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs whose journal write failed are written with the next flush', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'vigil-deploy-history-'));
    try {
      let failures = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (chunk.toString().includes('journal-write-failed')) failures++;
          cb();
        },
      });
      const logger = createLogger({ level: 'error', silent: true, transports: [new winston.transports.Stream({ stream: sink })] });
      const yaml = config('  history:\n    flush_interval: 10ms\n');
      const first = await startOn(storage, yaml, logger);
      // A directory where the segment file goes: appending fails (EISDIR), even for root.
      const blocker = join(storage, 'deployments', 'segment-00000001.ndjson');
      await mkdir(blocker);
      assert.equal((await postEvents(first.url, [started('1'), completed('1'), started('2')])).status, 202);
      for (let i = 0; failures === 0 && i < 2000; i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(failures > 0, 'the journal write failed');
      await rm(blocker, { recursive: true });
      await first.app.stop();

      const second = await startOn(storage, yaml);
      try {
        const res = (await (await fetch(`${second.url}/api/v1/deployments?project=shop`)).json()) as { runs: { id: string; status: string }[] };
        assert.deepEqual(
          res.runs.map((r) => [r.id, r.status]),
          [
            ['shop:2', 'in_progress'],
            ['shop:1', 'completed'],
          ],
        );
      } finally {
        await second.app.stop();
      }
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('after a failed append the next one starts on a fresh line, so a torn line costs no later record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-journal-'));
    try {
      const journal = createJournal(dir);
      await journal.load(10);
      const segment = join(dir, 'segment-00000001.ndjson');
      await mkdir(segment);
      await assert.rejects(journal.append([run('a', 1)]));
      await rm(segment, { recursive: true });
      await writeFile(segment, '{"id":"a","proj'); // what a write cut short leaves
      await journal.append([run('a', 2), run('b', 1)]);
      const loaded = await createJournal(dir).load(10);
      assert.equal(loaded.skipped, 1);
      assert.deepEqual(
        loaded.runs.map((r) => [r.id, r.duration_seconds]),
        [
          ['a', 2],
          ['b', 1],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
