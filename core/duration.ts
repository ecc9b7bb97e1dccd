import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses a Prometheus-style duration ("500ms", "5s", "1m", "2h", "30d") to milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] as string] ?? NaN);
}

/** A config duration: a string like "5s" or a number of seconds; the parsed value is milliseconds. */
export const duration = z
  .union([z.string(), z.number().nonnegative()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return v * 1000;
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", "5s", "1m" or "1h", got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** A config byte size: a number of bytes or a string like "2MiB", "1GiB". */
export const byteSize = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(v.trim());
  const unit = m ? SIZE_UNITS[(m[2] as string).toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "512KiB", "2MiB" or "1GiB", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return Math.floor(Number(m[1]) * unit);
});
