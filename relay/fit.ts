import type { Render } from './templates';
import { viewWith, type Prepared } from './view';

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, cut on a character boundary. */
export function cutToBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--; // not inside a multi-byte character
  return buf.subarray(0, end).toString('utf8');
}

/**
 * The message text with as many alerts as fit in `maxBytes`, the rest counted as "and N more" by the
 * template. More alerts never make a message shorter, so the count is found by bisection. If not even
 * one alert fits, the text with one alert is cut at the limit.
 */
export function fitMessage(p: Prepared, render: Render, maxBytes: number): { text: string; shown: number } {
  const size = (text: string): number => Buffer.byteLength(text, 'utf8');
  const all = render(viewWith(p, p.total));
  if (size(all) <= maxBytes) return { text: all, shown: p.total };
  let lo = 0; // fits (or is the fallback)
  let hi = p.total; // does not fit
  let best = render(viewWith(p, 0));
  if (size(best) > maxBytes) return { text: cutToBytes(render(viewWith(p, Math.min(1, p.total))), maxBytes), shown: Math.min(1, p.total) };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const text = render(viewWith(p, mid));
    if (size(text) <= maxBytes) {
      lo = mid;
      best = text;
    } else hi = mid;
  }
  return { text: best, shown: lo };
}
