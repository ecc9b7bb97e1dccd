import { readFile } from 'node:fs/promises';
import type { Client } from '@elastic/elasticsearch';
import type { Env } from '../core/config';
import { readSecret, SecretError } from '../core/secrets';

/** Where and how to reach Elasticsearch, from the environment (never from vigil.yml). */
export interface EsSettings {
  readonly url: string;
  readonly auth?: { readonly apiKey: string } | { readonly username: string; readonly password: string };
  readonly ca?: string;
}

/** A problem with the ELASTICSEARCH_* variables; names the variable and what was expected. */
export class EsSettingsError extends Error {
  override name = 'EsSettingsError';
}

/** VAR or VAR_FILE through core/secrets.ts; revealed here because the client takes plain strings. */
async function secret(env: Env, variable: string): Promise<string | undefined> {
  try {
    return (await readSecret(env, { variable }))?.reveal();
  } catch (err) {
    if (err instanceof SecretError) throw new EsSettingsError(err.message);
    throw err;
  }
}

/** undefined when ELASTICSEARCH_URL is not set: records then go to local files. */
export async function esSettingsFromEnv(env: Env): Promise<EsSettings | undefined> {
  const url = env.ELASTICSEARCH_URL;
  if (url === undefined || url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EsSettingsError('ELASTICSEARCH_URL: expected an http:// or https:// URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EsSettingsError('ELASTICSEARCH_URL: expected an http:// or https:// URL');
  }
  if (parsed.username || parsed.password) {
    throw new EsSettingsError('ELASTICSEARCH_URL: expected no credentials in the URL; use ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD');
  }
  const apiKey = await secret(env, 'ELASTICSEARCH_API_KEY');
  const username = await secret(env, 'ELASTICSEARCH_USERNAME');
  const password = await secret(env, 'ELASTICSEARCH_PASSWORD');
  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    throw new EsSettingsError('ELASTICSEARCH_API_KEY and ELASTICSEARCH_USERNAME/PASSWORD are both set; expected one kind of credentials');
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new EsSettingsError('ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD: expected both or neither');
  }
  let ca: string | undefined;
  const caFile = env.ELASTICSEARCH_CA_FILE;
  if (caFile !== undefined && caFile !== '') {
    try {
      ca = await readFile(caFile, 'utf8');
    } catch (err) {
      throw new EsSettingsError(`ELASTICSEARCH_CA_FILE: cannot read ${caFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  return {
    url: parsed.origin + parsed.pathname.replace(/\/$/, ''),
    ...(apiKey !== undefined ? { auth: { apiKey } } : username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(ca !== undefined ? { ca } : {}),
  };
}

/** The secret values of the settings, to keep out of logged error reasons. */
export function credentials(s: EsSettings): string[] {
  if (!s.auth) return [];
  return 'apiKey' in s.auth ? [s.auth.apiKey] : [s.auth.username, s.auth.password];
}

export interface ClientOptions {
  readonly timeoutMs: number;
}

/**
 * One client for the shipper, loaded on first use: no client-side retries (the shipper retries per item itself) and no
 * client-side compression (the bulk sender gzips its bodies itself, at level 1).
 */
export async function createEsClient(settings: EsSettings, opts: ClientOptions): Promise<Client> {
  // Loaded only when Elasticsearch is configured: the client adds about 30 MB of RSS.
  const { Client } = await import('@elastic/elasticsearch');
  return new Client({
    node: settings.url,
    ...(settings.auth ? { auth: settings.auth } : {}),
    ...(settings.ca !== undefined ? { tls: { ca: settings.ca } } : {}),
    compression: false,
    maxRetries: 0,
    requestTimeout: opts.timeoutMs,
    sniffOnStart: false,
  });
}
