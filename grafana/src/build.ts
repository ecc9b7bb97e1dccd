/**
 * `npm run grafana:build`: renders every board to grafana/dashboards/<uid>.json (the files Grafana
 * provisions) and the Kibana dashboard to elasticsearch/kibana/vigil-visualizations.ndjson. `--check` writes nothing and exits 1 naming the files that differ from the code.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOARDS } from './boards';
import { KIBANA_DASHBOARD_FILE, renderKibana } from './kibana';

export const DASHBOARDS_DIR = join(import.meta.dirname, '..', 'dashboards');
export const KIBANA_DIR = join(import.meta.dirname, '..', '..', 'elasticsearch', 'kibana');

/** File name to content of every board, as the generator writes them. */
export function renderBoards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const make of BOARDS) {
    const built = make().build();
    if (!built.uid) throw new Error(`board "${built.title}" has no uid`);
    // Provisioned boards must not carry a numeric id (Grafana assigns it); version 1 is the file's own.
    // Panel ids numbered in order: links to a panel (viewPanel=N) stay valid across builds.
    const panels = (built.panels ?? []).map((p, i) => ({ ...p, id: i + 1 }));
    const json = { ...built, panels, id: null, version: 1, schemaVersion: 39 };
    out.set(`${built.uid}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return out;
}

/** Files that are missing, different, or no longer generated; empty when the folder is current. */
export async function staleFiles(dir = DASHBOARDS_DIR): Promise<string[]> {
  const want = renderBoards();
  const have = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  const stale: string[] = [];
  for (const [file, text] of want) {
    const current = have.includes(file) ? await readFile(join(dir, file), 'utf8') : undefined;
    if (current !== text) stale.push(file);
  }
  for (const file of have) if (!want.has(file)) stale.push(file);
  return stale.sort();
}

/** The Kibana NDJSON, if it differs from the code. */
export async function staleKibana(dir = KIBANA_DIR): Promise<string[]> {
  const current = await readFile(join(dir, KIBANA_DASHBOARD_FILE), 'utf8').catch(() => undefined);
  return current === renderKibana() ? [] : [KIBANA_DASHBOARD_FILE];
}

async function main(): Promise<number> {
  if (process.argv.includes('--check')) {
    const stale = [...(await staleFiles()), ...(await staleKibana())];
    if (stale.length === 0) return 0;
    process.stderr.write(`grafana/dashboards is stale (${stale.join(', ')}): run npm run grafana:build\n`);
    return 1;
  }
  const want = renderBoards();
  for (const file of (await readdir(DASHBOARDS_DIR)).filter((f) => f.endsWith('.json') && !want.has(f))) await rm(join(DASHBOARDS_DIR, file));
  for (const [file, text] of want) await writeFile(join(DASHBOARDS_DIR, file), text);
  await writeFile(join(KIBANA_DIR, KIBANA_DASHBOARD_FILE), renderKibana());
  process.stdout.write(`wrote ${[...want.keys()].join(', ')} to grafana/dashboards/ and ${KIBANA_DASHBOARD_FILE} to elasticsearch/kibana/\n`);
  return 0;
}

if (process.argv[1] === import.meta.filename) process.exitCode = await main();
