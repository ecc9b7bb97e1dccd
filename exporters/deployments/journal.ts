import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunRecord } from './model';

/**
 * The run history on disk: append-only NDJSON segments under <storage>/deployments/, one line per
 * changed run (its whole record, so the last line of a run wins). When the newest segment grows past
 * `segmentBytes`, the kept runs are written as a snapshot into a new segment and the older ones are
 * removed, so the journal stays bounded by the number of runs kept.
 */
export interface Journal {
  /** Reads every segment, oldest first; corrupt lines (a torn last write) are skipped and counted. */
  load(maxRuns: number): Promise<{ runs: RunRecord[]; skipped: number }>;
  append(runs: readonly RunRecord[]): Promise<void>;
  /** Replaces every segment with one snapshot of `runs`. */
  compact(runs: Iterable<RunRecord>): Promise<void>;
  /** Bytes appended since the last snapshot (or since start). */
  readonly appended: number;
}

const SEGMENT_RE = /^segment-(\d{8})\.ndjson$/;
const segmentName = (n: number): string => `segment-${String(n).padStart(8, '0')}.ndjson`;

function isRun(v: unknown): v is RunRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RunRecord>;
  return typeof r.id === 'string' && typeof r.project === 'string' && Array.isArray(r.jobs) && Array.isArray(r.logs);
}

export function createJournal(dir: string): Journal {
  let current = 0;
  let appended = 0;
  let torn = false;

  const segments = async (): Promise<number[]> => {
    await mkdir(dir, { recursive: true });
    const files = await readdir(dir);
    // A snapshot cut short by a crash never replaced anything: drop it.
    for (const f of files) if (f.endsWith('.ndjson.tmp')) await rm(join(dir, f), { force: true });
    return files
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  };

  return {
    get appended() {
      return appended;
    },
    async load(maxRuns) {
      const list = await segments();
      const runs = new Map<string, RunRecord>();
      let skipped = 0;
      for (const n of list) {
        const lines = createInterface({ input: createReadStream(join(dir, segmentName(n)), 'utf8'), crlfDelay: Infinity });
        for await (const line of lines) {
          if (line === '') continue;
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            skipped++;
            continue;
          }
          if (!isRun(value)) {
            skipped++;
            continue;
          }
          runs.delete(value.id);
          runs.set(value.id, value);
          if (runs.size > maxRuns) runs.delete(runs.keys().next().value as string);
        }
      }
      current = list.at(-1) ?? 1;
      appended = list.length > 0 ? (await stat(join(dir, segmentName(current)))).size : 0;
      return { runs: [...runs.values()], skipped };
    },
    async append(runs) {
      if (runs.length === 0) return;
      if (current === 0) current = (await segments()).at(-1) ?? 1;
      // After a failed write a torn line may end the segment: start on a fresh line (empty lines are skipped).
      let text = torn ? '\n' : '';
      for (const run of runs) text += `${JSON.stringify(run)}\n`;
      try {
        await appendFile(join(dir, segmentName(current)), text);
      } catch (err) {
        torn = true;
        throw err;
      }
      torn = false;
      appended += Buffer.byteLength(text);
    },
    async compact(runs) {
      const old = await segments();
      const next = (old.at(-1) ?? 0) + 1;
      let text = '';
      for (const run of runs) text += `${JSON.stringify(run)}\n`;
      const tmp = join(dir, `${segmentName(next)}.tmp`);
      await writeFile(tmp, text);
      await rename(tmp, join(dir, segmentName(next)));
      current = next;
      appended = 0;
      for (const n of old) await rm(join(dir, segmentName(n)), { force: true });
    },
  };
}
