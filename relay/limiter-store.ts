import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The file, in a target's queue folder, that keeps the times of its last robot requests. */
export const LIMITER_FILE = 'limiter.json';

/**
 * The request times saved by a previous run (ms since the epoch, oldest first); [] when there is no
 * file. A file that is not a list of times is reported through `onBadFile` and ignored: the limiter
 * then starts empty, as it did before the times were kept.
 */
export function loadSendTimes(file: string, onBadFile: (reason: string) => void): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onBadFile((err as Error).message);
    return [];
  }
  try {
    const times = (JSON.parse(text) as { sent?: unknown }).sent;
    if (Array.isArray(times) && times.every((t) => Number.isFinite(t))) return (times as number[]).slice().sort((a, b) => a - b);
  } catch {
    // reported below
  }
  onBadFile('not {"sent": [times]}');
  return [];
}

/**
 * Saves the request times (the last `limit` are enough) with a write and a rename, once per turn of
 * the event loop however many requests were recorded in it: after the request left, off its path.
 * A crash before the save loses at most the requests of that turn.
 */
export function sendTimesWriter(file: string, onError: (err: unknown) => void): (sent: readonly number[]) => void {
  let pending: readonly number[] | undefined;
  return (sent) => {
    const first = pending === undefined;
    pending = sent;
    if (!first) return;
    setImmediate(() => {
      const times = pending ?? [];
      pending = undefined;
      try {
        writeFileSync(`${file}.tmp`, `${JSON.stringify({ sent: times })}\n`);
        renameSync(`${file}.tmp`, file);
      } catch (err) {
        onError(err);
      }
    });
  };
}
