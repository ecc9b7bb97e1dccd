/**
 * Splits text[start, end) at runs of spaces and tabs, like `trim().split(/\s+/)` but without a
 * regular expression: the /proc parsers run on every scrape and this is their inner loop.
 */
export function splitFields(text: string, start = 0, end = text.length): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    while (i < end && (c === 32 || c === 9)) c = text.charCodeAt(++i);
    if (i >= end) break;
    const from = i;
    while (i < end && c !== 32 && c !== 9) c = text.charCodeAt(++i);
    out.push(text.slice(from, i));
  }
  return out;
}

/** Calls fn(start, end) for each line of text (without its newline), skipping empty lines. */
export function forEachLine(text: string, fn: (start: number, end: number) => void): void {
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    if (eol > pos) fn(pos, eol);
    pos = eol + 1;
  }
}
