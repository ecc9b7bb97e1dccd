/**
 * Charts drawn on the server as inline SVG: only numbers and fixed class names go into them, never
 * a name from config or an event, so they need no escaping and no script.
 */

const round = (x: number): string => (Math.round(x * 10) / 10).toString();

/** A response-time sparkline over [from, to] (unix seconds); empty points draw an empty frame. */
export function sparkline(points: readonly (readonly [number, number])[], from: number, to: number, width = 160, height = 32): string {
  const max = Math.max(...points.map((p) => p[1]), 0.001);
  const x = (t: number): string => round(((t - from) / Math.max(to - from, 1)) * width);
  const y = (v: number): string => round(height - 2 - (v / max) * (height - 4));
  // Whole units: the chart is 160 x 32, so finer coordinates only make the page heavier.
  const line = points.map((p) => `${Math.round(Number(x(p[0])))},${Math.round(Number(y(p[1])))}`).join(' ');
  return (
    `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="max ${round(max * 1000)} ms">` +
    `<rect class="frame" x="0" y="0" width="${width}" height="${height}"/>` +
    (points.length > 0 ? `<polyline points="${line}"/>` : '') +
    `</svg>`
  );
}

const RESULT_CLASSES = new Set(['success', 'failure', 'cancelled', 'skipped', 'running', 'queued', 'neutral', 'timed_out']);
/** A fixed class name for a result (anything else is "other"). */
export const resultClass = (result: string | null | undefined): string => (result && RESULT_CLASSES.has(result) ? result : 'other');

/** A timeline bar: starts `offset` and lasts `span`, both as fractions of the run (0..1). */
export function timelineBar(offset: number, span: number, result: string | null | undefined): string {
  const clamp = (v: number): number => Math.min(Math.max(Number.isFinite(v) ? v : 0, 0), 1);
  const x = clamp(offset) * 1000;
  const w = Math.max(clamp(span) * 1000, 4);
  return `<svg class="bar" viewBox="0 0 1000 12" preserveAspectRatio="none" role="img" aria-hidden="true"><rect class="${resultClass(result)}" x="${round(Math.min(x, 996))}" y="0" width="${round(w)}" height="12"/></svg>`;
}
