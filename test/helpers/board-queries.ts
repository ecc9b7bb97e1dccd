import { readFile } from 'node:fs/promises';

/** test/fixtures/host/node-exporter-full/queries.json: the board's panel queries, copied verbatim. */
export interface BoardFixture {
  readonly source: { readonly repository: string; readonly path: string; readonly commit: string };
  readonly variables: Readonly<Record<string, string>>;
  readonly families: readonly string[];
  readonly queries: readonly BoardQuery[];
}

export interface BoardQuery {
  readonly panel: number;
  readonly title: string;
  readonly expr: string;
  readonly hide?: boolean;
}

export async function loadBoard(): Promise<BoardFixture> {
  const url = new URL('../fixtures/host/node-exporter-full/queries.json', import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')) as BoardFixture;
}

/**
 * Substitutes the board's variables as Grafana would for one host: $node (the instance), $job,
 * $diskdevices (its constant) and $__rate_interval (Grafana's max(interval + scrape, 4 x scrape),
 * which is 4 x scrape interval at the resolution of a short range).
 */
export function substitute(expr: string, vars: { node: string; job: string; diskdevices: string; rateInterval: string }): string {
  return expr
    .replaceAll('$__rate_interval', vars.rateInterval)
    .replaceAll('$diskdevices', vars.diskdevices)
    .replaceAll('$node', vars.node)
    .replaceAll('$job', vars.job);
}

/** The metric families (node_*, process_*) a query reads. */
export function familiesOf(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:node|process)_[A-Za-z0-9_]+\b/g) ?? [])];
}

/** Panels with at least one visible query among `answered` (indexes into the board's queries). */
export function panelsAnswered(queries: readonly BoardQuery[], answered: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  queries.forEach((q, i) => {
    if (!q.hide && answered.has(i)) out.add(q.panel);
  });
  return out;
}
