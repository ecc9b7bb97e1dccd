import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';

/** The payloads travel with the repository (test/fixtures/github-webhooks): resolve from this file, not the cwd. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/github-webhooks');

export const SECRET = 'test-webhook-secret';
export const TOKEN = 'test-api-token';

export interface Fixture {
  readonly file: string;
  readonly event: string;
  readonly body: Buffer;
  readonly json: Record<string, unknown>;
}

export async function loadFixtures(): Promise<Fixture[]> {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.payload.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const body = await readFile(join(FIXTURES, file));
      return { file, event: file.split('.')[0] as string, body, json: JSON.parse(body.toString('utf8')) as Record<string, unknown> };
    }),
  );
}

let deliveries = 0;

/** GitHub's X-Hub-Signature-256 of a raw body, computed here independently of the code under test. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface DeliveryOptions {
  readonly secret?: string | null;
  readonly delivery?: string;
  readonly headers?: Record<string, string>;
}

/** Posts a webhook as GitHub does: raw bytes signed with HMAC-SHA256, event and delivery headers. */
export async function deliver(url: string, event: string, body: Buffer | string, opts: DeliveryOptions = {}): Promise<Response> {
  const secret = opts.secret === undefined ? SECRET : opts.secret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery ?? `delivery-${process.pid}-${++deliveries}`,
    ...(secret !== null ? { 'x-hub-signature-256': signBody(secret, body) } : {}),
    ...opts.headers,
  };
  return fetch(`${url}/webhooks/github`, { method: 'POST', headers, body });
}

export async function postEvents(url: string, body: unknown, token: string | null = TOKEN): Promise<Response> {
  return fetch(`${url}/api/v1/deployments/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Parses Prometheus text into `name{a="1",b="2"}` (labels sorted) to value, for families matching `prefix`. */
export function parseMetrics(text: string, prefix = /^(deployment|vigil_webhook)/): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || !prefix.test(m[1] as string)) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

export async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  return parseMetrics(await res.text());
}

/** Only the series that are not zero, without the request counters: what the events did. */
export function nonZeroDeploymentSeries(m: Map<string, number>): Map<string, number> {
  return new Map([...m].filter(([k, v]) => v !== 0 && !k.startsWith('vigil_webhook')));
}

/** Key as parseMetrics writes it. */
export function series(name: string, labels: Record<string, string> = {}): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',')}}`;
}

export const seconds = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

export function config(extra = ''): string {
  return `deployments:\n  enabled: true\n${extra}`;
}
