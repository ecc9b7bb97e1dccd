/**
 * Issue 10 benchmarks: the portal's Home and Projects pages with 200 projects (and 200 runs, 50
 * alerts), every component answering from a local server and no answer cache (cache: 0s, the
 * worst case: each view asks every component again): latency p50/p95 over sequential views.
 * Then the cost of a portal user against Vigil's scrape and events throughput: /metrics and the
 * events API under autocannon, alternated without and with a connected user (both live streams
 * open, and the page's region fetched again as often as live.js does at most: every 200 ms).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { load } from './lib/load';
import { machine } from './lib/machine';
import { startVigilProcess } from './lib/processes';
import { median, percentile, round } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 100);
const PROJECTS = 200;
const TOKEN = 'bench-token';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const json = (body: unknown): Handler => {
  const text = JSON.stringify(body);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
};

/** Grafana, Kibana, Prometheus, Alertmanager and Elasticsearch in one local server, by path. */
function componentServer(): Server {
  const now = Math.floor(Date.now() / 1000);
  const matrix = Array.from({ length: PROJECTS }, (_, i) => ({
    metric: { project: `project-${i}` },
    values: Array.from({ length: 97 }, (_v, k) => [now - 86_400 + k * 900, String(0.01 + ((i + k) % 7) / 100)]),
  }));
  const vector = Array.from({ length: PROJECTS }, (_, i) => ({ metric: { project: `project-${i}` }, value: [now, i % 10 === 0 ? '0.98' : '1'] }));
  const alerts = Array.from({ length: 50 }, (_, i) => ({
    labels: { alertname: i % 2 ? 'ProjectDown' : 'ProjectSlow', project: `project-${i}`, severity: i % 3 ? 'warning' : 'critical' },
    annotations: { summary: 'x' },
    startsAt: new Date().toISOString(),
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
  }));
  const routes: Record<string, Handler> = {
    '/api/health': json({ database: 'ok', version: '11.6.0' }),
    '/api/status': json({ version: { number: '8.19.2' }, status: { overall: { level: 'available' } } }),
    '/-/healthy': json('ok'),
    '/api/v1/status/buildinfo': json({ status: 'success', data: { version: '2.53.3' } }),
    '/api/v2/status': json({ versionInfo: { version: '0.27.0' } }),
    '/api/v2/alerts': json(alerts),
    '/_cluster/health': json({ status: 'green' }),
    '/': json({ version: { number: '9.1.0' } }),
    '/api/v1/query_range': json({ status: 'success', data: { resultType: 'matrix', result: matrix } }),
    '/api/v1/query': json({ status: 'success', data: { resultType: 'vector', result: vector } }),
  };
  return createServer((req, res) => {
    const h = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (h) h(req, res);
    else res.writeHead(404).end();
  });
}

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));

function vigilYaml(targetPort: number, componentUrl: string): string {
  const targets = Array.from({ length: PROJECTS }, (_, i) => `    - {name: project-${i}, labels: {url: "https://p${i}.example.com/"}, checks: [{type: http, url: "http://127.0.0.1:${targetPort}/"}]}`);
  const c = (name: string) => `  ${name}: {url: "${componentUrl}"}`;
  return [
    'log: {level: warn}',
    'host: {enabled: true}',
    'shipper: {enabled: false}',
    'projects:',
    '  interval: 1m',
    '  targets:',
    ...targets,
    'dashboard:',
    '  enabled: true',
    '  cache: 0s',
    ...['grafana', 'kibana', 'prometheus', 'alertmanager', 'elasticsearch'].map(c),
    '',
  ].join('\n');
}

async function timeViews(url: string, n: number): Promise<{ p50: number; p95: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    const body = await res.text();
    times.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    bytes = body.length;
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

/** A portal user: both live streams open and the page's region fetched every 200 ms (live.js's most). */
function portalUser(base: string): { stop(): Promise<void>; views(): number } {
  const streams = ['/api/v1/projects/stream', '/api/v1/deployments/stream'].map((p) => {
    const req = request(`${base}${p}`, (res) => res.resume());
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  let running = true;
  let views = 0;
  const loop = (async () => {
    while (running) {
      const res = await fetch(`${base}/portal/deployments?partial=1`);
      await res.text();
      views++;
      await sleep(200);
    }
  })();
  return {
    async stop() {
      running = false;
      for (const s of streams) s.destroy();
      await loop;
    },
    views: () => views,
  };
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}`);
  const target = createServer((_req, res) => res.end('ok'));
  const components = componentServer();
  const targetPort = await listen(target);
  const componentUrl = `http://127.0.0.1:${await listen(components)}`;
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-portal-'));
  const file = join(dir, 'vigil.yml');
  await writeFile(file, vigilYaml(targetPort, componentUrl));
  const vigil = await startVigilProcess(file, join(dir, 'data'), { VIGIL_API_TOKEN: TOKEN });
  try {
    // 200 runs with a job and two steps each, so the pages and "last deployment" have data.
    for (let i = 0; i < PROJECTS; i++) {
      const base = { project: `project-${i}`, deployment_id: i, environment: 'production' };
      const res = await fetch(`${vigil.url}/api/v1/deployments/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          { ...base, type: 'deployment_started' },
          { ...base, type: 'step_completed', job: 'build', step: 'npm ci', status: 'success', duration_seconds: 20 },
          { ...base, type: 'step_completed', job: 'build', step: 'test', status: 'success', duration_seconds: 40 },
          { ...base, type: 'deployment_completed', status: i % 9 ? 'success' : 'failure' },
        ]),
      });
      if (res.status !== 202) throw new Error(`events: ${res.status}`);
    }
    for (let i = 0; i < 100; i++) {
      const text = await (await fetch(`${vigil.url}/metrics`)).text();
      if ((text.match(/^project_last_check_timestamp_seconds\{/gm)?.length ?? 0) >= PROJECTS) break;
      await sleep(100);
    }
    await timeViews(`${vigil.url}/portal/projects`, 10); // warm-up
    console.log(`\n## Page latency, ${PROJECTS} projects, ${PROJECTS} runs, 50 alerts, every component asked on each view (cache: 0s); ${VIEWS} sequential views per round, ${ROUNDS} rounds`);
    for (const [name, path] of [['Home', '/portal/'], ['Projects', '/portal/projects'], ['Deployments', '/portal/deployments']] as const) {
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) rounds.push(await timeViews(`${vigil.url}${path}`, VIEWS));
      console.log(`${name.padEnd(12)} p50 ${round(median(rounds.map((x) => x.p50)))} ms, p95 ${round(median(rounds.map((x) => x.p95)))} ms (median of rounds; p95 per round: ${rounds.map((x) => round(x.p95)).join(', ')}), ${Math.round((rounds[0]?.bytes ?? 0) / 1024)} KiB`);
    }

    console.log(`\n## Throughput without and with a connected portal user (alternated, ${ROUNDS} rounds of ${SECONDS} s, 10 connections)`);
    const event = (i: number) => JSON.stringify({ type: 'log_entry', project: `project-${i % PROJECTS}`, deployment_id: i % PROJECTS, message: 'bench' });
    const results: Record<string, number[]> = { scrapeWithout: [], scrapeWith: [], eventsWithout: [], eventsWith: [] };
    let views = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const withUser of [false, true]) {
        const user = withUser ? portalUser(vigil.url) : undefined;
        await sleep(200);
        const scrape = await load({ url: `${vigil.url}/metrics`, connections: 10, durationSeconds: SECONDS });
        const events = await load({
          url: `${vigil.url}/api/v1/deployments/events`,
          connections: 10,
          durationSeconds: SECONDS,
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          requests: Array.from({ length: 50 }, (_, i) => ({ body: event(i) })),
        });
        if (user) {
          views += user.views();
          await user.stop();
        }
        if (scrape.non2xx + events.non2xx + scrape.errors + events.errors > 0) throw new Error('errors under load');
        results[withUser ? 'scrapeWith' : 'scrapeWithout']?.push(scrape.requestsPerSecond);
        results[withUser ? 'eventsWith' : 'eventsWithout']?.push(events.requestsPerSecond);
      }
    }
    const m = (k: string) => median(results[k] ?? []);
    console.log(`/metrics scrapes/s: ${round(m('scrapeWithout'))} without, ${round(m('scrapeWith'))} with a portal user (ratio ${round(m('scrapeWith') / m('scrapeWithout'), 3)})`);
    console.log(`events API requests/s: ${round(m('eventsWithout'))} without, ${round(m('eventsWith'))} with a portal user (ratio ${round(m('eventsWith') / m('eventsWithout'), 3)})`);
    console.log(`the user's page-region fetches during the loaded runs: ${views}`);
  } finally {
    await vigil.stop();
    target.closeAllConnections();
    components.closeAllConnections();
    target.close();
    components.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
