import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMockElasticsearch } from './helpers/mock-elasticsearch';
import { seqOf, until } from './helpers/shipper';

const ROOT = join(import.meta.dirname, '../..');

const CONFIG = `
log:
  level: info
host: { enabled: false }
projects: { enabled: false }
deployments: { enabled: false }
shipper:
  bulk: { flush_interval: 20ms, max_records: 500 }
  backoff: { initial: 20ms, max: 200ms }
  shutdown_timeout: 2s
`;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

test('Vigil killed with SIGKILL mid-stream and restarted: every durable record arrives, duplicates only as repeated _ids', async (t) => {
  const es = await startMockElasticsearch();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-sigkill-'));
  const configFile = join(dir, 'vigil.yml');
  await writeFile(configFile, CONFIG);
  const storage = join(dir, 'data');
  const env = { ...process.env, ELASTICSEARCH_URL: es.url };
  const children: ChildProcess[] = [];
  try {
    // 1. the burst, killed once 20,000 records are durable and shipping is under way
    const burst = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/shipper/fixtures/log-burst.ts'), configFile, storage, '200000'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(burst);
    let durable = -1;
    let out = '';
    burst.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/(?:durable|done) (-?\d+)\n/g)) durable = Math.max(durable, Number(m[1]));
    });
    await until('20,000 durable records and some shipped', () => durable >= 20_000 && es.received.length > 0, 60_000);
    burst.kill('SIGKILL');
    await exited(burst);
    const lastDurable = durable;
    assert.equal(burst.signalCode, 'SIGKILL');
    assert.ok(lastDurable < 199_999, 'killed mid-stream, before the burst finished');

    // 2. restart as users run it; it replays the spool from the checkpoint
    const vigil = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bin/vigil.ts'), 'serve', `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${storage}`],
      { env, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(vigil);
    const stored = (): number[] =>
      [...(es.stored.get('logs-vigil.deployments-default')?.values() ?? [])].map(seqOf).filter((s) => s >= 0);
    await until('every durable record stored', () => stored().filter((s) => s <= lastDurable).length === lastDurable + 1, 60_000);
    vigil.kill('SIGTERM');
    await exited(vigil);
    assert.equal(vigil.exitCode, 0);

    const seqs = stored();
    assert.equal(new Set(seqs).size, seqs.length, 'one stored document per record');
    const idsBySeq = new Map<number, Set<string>>();
    for (const r of es.received) {
      const seq = seqOf(r.doc);
      if (seq < 0) continue;
      const ids = idsBySeq.get(seq) ?? new Set<string>();
      ids.add(r.id);
      idsBySeq.set(seq, ids);
    }
    assert.ok([...idsBySeq.values()].every((ids) => ids.size === 1), 'a record sent twice has the same _id both times');
    assert.ok(es.received.every((r) => r.status === 201 || r.status === 409));
    t.diagnostic(`durable before kill: ${lastDurable + 1}; stored: ${seqs.length}; items received: ${es.received.length}; answered 409: ${es.received.filter((r) => r.status === 409).length}`);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await es.close();
    await rm(dir, { recursive: true, force: true });
  }
});
