import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSegmentLog, type Position, type SegmentLog, type SegmentLogOptions } from '../../../core/spool/segment-log';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-segments-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const options = (dir: string, extra: Partial<SegmentLogOptions> = {}): SegmentLogOptions => ({
  dir,
  prefix: 'segment-',
  segmentBytes: 4096,
  maxBytes: 64 * 1024,
  overflow: 'drop_oldest',
  fsyncIntervalMs: 0,
  checkpoint: true,
  ...extra,
});

async function readAll(log: SegmentLog, from: Position): Promise<{ lines: string[]; next: Position }> {
  const lines: string[] = [];
  let pos = from;
  for (;;) {
    const r = await log.read(pos, 1000, 7);
    pos = r.next;
    if (r.records.length === 0) return { lines, next: pos };
    lines.push(...r.records.map((x) => x.data.toString('utf8')));
  }
}

const line = (i: number): string => JSON.stringify({ seq: i, pad: 'x'.repeat(40) });

test('appended lines are read back in order across segments, with distinct positions', async () => {
  await withDir(async (dir) => {
    const log = await openSegmentLog(options(dir));
    for (let i = 0; i < 300; i++) log.append([line(i)]);
    log.append([line(300), line(301)]);
    const { lines } = await readAll(log, log.checkpoint());
    assert.deepEqual(lines, Array.from({ length: 302 }, (_, i) => line(i)));
    const r = await log.read(log.checkpoint(), 1_000_000, 1000);
    assert.equal(new Set(r.records.map((x) => `${x.segment}:${x.offset}`)).size, r.records.length);
    assert.ok((await readdir(dir)).filter((f) => f.endsWith('.ndjson')).length > 1, 'rotated into several segments');
    log.close();
  });
});

test('after a restart reading resumes at the checkpoint; acknowledged segments are deleted', async () => {
  await withDir(async (dir) => {
    const first = await openSegmentLog(options(dir));
    for (let i = 0; i < 300; i++) first.append([line(i)]);
    let pos = first.checkpoint();
    for (let got = 0; got < 120; ) {
      const r = await first.read(pos, 100_000, 120 - got);
      got += r.records.length;
      pos = r.next;
    }
    const before = first.bytes();
    first.ack(pos);
    first.close();
    const second = await openSegmentLog(options(dir));
    assert.equal(second.id, first.id, 'the log keeps its id');
    assert.ok(second.bytes() < before, 'segments before the checkpoint are gone');
    const { lines } = await readAll(second, second.checkpoint());
    assert.deepEqual(lines, Array.from({ length: 180 }, (_, i) => line(i + 120)));
    second.close();
  });
});

test('a torn last line (process killed mid-write) is cut off and never read', async () => {
  await withDir(async (dir) => {
    const log = await openSegmentLog(options(dir));
    log.append([line(0), line(1)]);
    log.close();
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
    await appendFile(join(dir, files[files.length - 1] as string), '{"seq":2,"pad":"xx');
    const again = await openSegmentLog(options(dir));
    const { lines } = await readAll(again, again.checkpoint());
    assert.deepEqual(lines, [line(0), line(1)]);
    again.close();
  });
});

test('overflow drop_oldest: bytes stay under the limit and unacknowledged dropped records are counted', async () => {
  await withDir(async (dir) => {
    let dropped = 0;
    const log = await openSegmentLog(options(dir, { maxBytes: 16 * 1024, onDrop: (n) => (dropped += n) }));
    const n = 1000;
    for (let i = 0; i < n; i++) log.append([line(i)]);
    assert.ok(log.bytes() <= 16 * 1024);
    const { lines } = await readAll(log, log.checkpoint());
    assert.equal(lines.length + dropped, n, 'every record is either kept or counted as dropped');
    assert.equal(lines[lines.length - 1], line(n - 1), 'the newest are kept');
    log.close();
  });
});

test('overflow drop_newest: new records are refused and counted once the spool is full', async () => {
  await withDir(async (dir) => {
    let dropped = 0;
    const log = await openSegmentLog(options(dir, { maxBytes: 16 * 1024, overflow: 'drop_newest', onDrop: (n) => (dropped += n) }));
    const n = 1000;
    let accepted = 0;
    for (let i = 0; i < n; i++) if (log.append([line(i)])) accepted++;
    const { lines } = await readAll(log, log.checkpoint());
    assert.equal(lines.length, accepted);
    assert.equal(dropped, n - accepted);
    assert.equal(lines[0], line(0), 'the oldest are kept');
    log.close();
  });
});

test('without a checkpoint (local files) old files are removed past maxBytes and lines are plain NDJSON', async () => {
  await withDir(async (dir) => {
    const log = await openSegmentLog(options(dir, { prefix: 'vigil-', checkpoint: false, maxBytes: 16 * 1024 }));
    for (let i = 0; i < 1000; i++) log.append([line(i)]);
    log.close();
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson')).sort();
    assert.ok(files.every((f) => /^vigil-\d{12}\.ndjson$/.test(f)));
    const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
    assert.ok(text.length <= 16 * 1024);
    const seqs = text.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq);
    assert.equal(seqs[seqs.length - 1], 999);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });
});
