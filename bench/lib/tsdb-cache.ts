/**
 * A directory cache for the Grafana benchmark's backfilled TSDB blocks, so that a second run only
 * starts Prometheus on them. Entries are keyed by a hash of what produced them (the generator's
 * source, its shape, the rules); an entry is built in a temporary directory and renamed into place
 * once complete, so an interrupted build never leaves a half entry. Runs use a hard-linked copy
 * (TSDB blocks are immutable: Prometheus replaces them, never rewrites them), so the entry stays
 * untouched whatever Prometheus compacts or deletes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** BENCH_CACHE sets where entries live (default: the system's temporary directory). */
export const CACHE_ROOT = process.env.BENCH_CACHE ?? join(tmpdir(), 'vigil-bench-grafana-cache');

export function hashOf(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** The entry's directory, built by `build(dir)` into a temporary directory first when missing. */
export async function cached(name: string, build: (dir: string) => Promise<void>): Promise<{ dir: string; hit: boolean }> {
  const dir = join(CACHE_ROOT, name);
  if (existsSync(dir)) return { dir, hit: true };
  await mkdir(CACHE_ROOT, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    await build(tmp);
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir, hit: false };
}

/** Hard-links every block directory of `from` into `to` (which must exist). */
export async function linkBlocks(from: string, to: string): Promise<void> {
  const blocks = (await readdir(from, { withFileTypes: true })).filter((d) => d.isDirectory() && /^[0-9A-Z]{26}$/.test(d.name));
  for (const b of blocks) {
    const r = spawnSync('cp', ['-al', join(from, b.name), join(to, b.name)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cp -al ${b.name}: ${r.stderr}`);
  }
}

/** Removes entries of `prefix` other than `keep` (superseded builds). */
export async function prune(prefix: string, keep: readonly string[]): Promise<void> {
  if (!existsSync(CACHE_ROOT)) return;
  for (const name of await readdir(CACHE_ROOT)) {
    if (name.startsWith(prefix) && !keep.includes(name)) await rm(join(CACHE_ROOT, name), { recursive: true, force: true });
  }
}
