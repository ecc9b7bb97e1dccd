/**
 * `npm run kibana:import`: imports elasticsearch/kibana/*.ndjson (data views and saved searches)
 * into Kibana through the saved objects API, overwriting earlier versions.
 *
 *   KIBANA_URL          default http://127.0.0.1:5601
 *   KIBANA_SPACE        optional space id
 *   KIBANA_API_KEY      or KIBANA_USERNAME + KIBANA_PASSWORD (each also as *_FILE)
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export const SAVED_OBJECTS_DIR = join(import.meta.dirname, '..', 'elasticsearch', 'kibana');

export interface ImportOptions {
  readonly url: string;
  readonly space?: string;
  readonly auth?: { readonly apiKey: string } | { readonly username: string; readonly password: string };
  readonly files: readonly string[];
  readonly timeoutMs?: number;
}

export interface ImportResult {
  readonly file: string;
  readonly successCount: number;
}

export class KibanaImportError extends Error {
  override name = 'KibanaImportError';
}

type Env = Readonly<Record<string, string | undefined>>;

async function secret(env: Env, name: string): Promise<string | undefined> {
  const file = env[`${name}_FILE`];
  if (file) return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  return env[name] || undefined;
}

export async function optionsFromEnv(env: Env): Promise<ImportOptions> {
  const url = (env.KIBANA_URL || 'http://127.0.0.1:5601').replace(/\/+$/, '');
  const apiKey = await secret(env, 'KIBANA_API_KEY');
  const username = await secret(env, 'KIBANA_USERNAME');
  const password = await secret(env, 'KIBANA_PASSWORD');
  if ((username === undefined) !== (password === undefined)) throw new KibanaImportError('KIBANA_USERNAME and KIBANA_PASSWORD: expected both or neither');
  const files = (await readdir(SAVED_OBJECTS_DIR)).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(SAVED_OBJECTS_DIR, f));
  return {
    url,
    ...(env.KIBANA_SPACE ? { space: env.KIBANA_SPACE } : {}),
    ...(apiKey ? { auth: { apiKey } } : username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    files,
  };
}

function authHeader(auth: ImportOptions['auth']): Record<string, string> {
  if (!auth) return {};
  if ('apiKey' in auth) return { authorization: `ApiKey ${auth.apiKey}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** POSTs each file to /api/saved_objects/_import?overwrite=true; throws KibanaImportError with the reason. */
export async function importSavedObjects(opts: ImportOptions): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  const base = opts.space ? `${opts.url}/s/${encodeURIComponent(opts.space)}` : opts.url;
  for (const file of opts.files) {
    const form = new FormData();
    form.append('file', new Blob([await readFile(file)], { type: 'application/ndjson' }), basename(file));
    let res: Response;
    try {
      res = await fetch(`${base}/api/saved_objects/_import?overwrite=true`, {
        method: 'POST',
        headers: { 'kbn-xsrf': 'true', ...authHeader(opts.auth) },
        body: form,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new KibanaImportError(`cannot reach Kibana at ${opts.url} (${why}); is it running? Set KIBANA_URL to its address.`);
    }
    const text = await res.text();
    let body: { success?: boolean; successCount?: number; errors?: { id: string; type: string; error: { type: string; message?: string } }[]; message?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: reported below with the status
    }
    if (!res.ok) {
      throw new KibanaImportError(`Kibana refused the import of ${basename(file)}: HTTP ${res.status} ${body.message ?? text.slice(0, 200)}`);
    }
    if (body.success !== true) {
      const problems = (body.errors ?? []).map((e) => `${e.type} ${e.id}: ${e.error.message ?? e.error.type}`).join('; ');
      throw new KibanaImportError(`Kibana could not import every object of ${basename(file)}: ${problems || text.slice(0, 200)}`);
    }
    results.push({ file: basename(file), successCount: body.successCount ?? 0 });
  }
  return results;
}

async function main(): Promise<number> {
  try {
    const opts = await optionsFromEnv(process.env);
    for (const r of await importSavedObjects(opts)) {
      process.stdout.write(`${r.file}: ${r.successCount} saved objects imported into ${opts.url}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`kibana:import: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] === import.meta.filename) process.exitCode = await main();
