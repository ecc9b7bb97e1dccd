/**
 * Issue 4 benchmarks (deployment exporter), each against a baseline measured in the same run:
 *  1. pipeline events API, one small event per request, 100 connections: requests/s and p99 of
 *     Vigil against a bare Express 5 route doing only the JSON parse and the token check
 *     (alternated rounds, both servers in their own process, autocannon in this one);
 *  2. batched events (50 per request): events/s;
 *  3. signed GitHub workflow_job payloads (the ~10 KB fixture, a new job id and delivery id each):
 *     requests/s;
 *  4. RSS of the Vigil process over 1,000,000 events with the default bounded history.
 * Vigil runs as `npm start` runs it (the dist/vigil.mjs bundle, `serve`, log level info so every
 * event is logged as ECS JSON to stdout, which this process reads and drops).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { machine } from './lib/machine';
import { rssBytes, stopChild } from './lib/processes';
import { median, round } from './lib/stats';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MEMORY_EVENTS = Number(process.env.BENCH_MEMORY_EVENTS ?? 1_000_000);
const TOKEN = 'bench-token';
const SECRET = 'bench-secret';
const EVENTS_PATH = '/api/v1/deployments/events';

/** The baseline: a bare Express 5 route that parses a small JSON body, checks the token, answers 202. */
async function expressChild(): Promise<void> {
  const { default: express } = await import('express');
  const app = express();
  const expected = createHash('sha256').update(TOKEN).digest();
  app.post(EVENTS_PATH, express.json({ limit: '2mb' }), (req, res) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(createHash('sha256').update(m[1] as string).digest(), expected)) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    res.status(202).json({ accepted: Array.isArray(req.body) ? req.body.length : 1 });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`);
  });
}

interface Child {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

function waitForPort(child: ChildProcess, re: RegExp): Promise<number> {
  let out = '';
  return new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // every later log line is read and dropped, as a log collector would
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${out.slice(-2000)}`)));
  });
}

async function startExpress(): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'express-child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await waitForPort(child, /PORT (\d+)/);
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/**
 * For the memory figure only: lets this benchmark ask the Vigil process for a full garbage
 * collection (SIGUSR2) before reading its RSS, so garbage not yet collected is not taken for growth.
 */
const GC_ON_SIGNAL = `data:text/javascript,${encodeURIComponent("process.on('SIGUSR2', () => globalThis.gc());")}`;

async function startVigil(dir: string, gcOnSignal = false): Promise<Child> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'vigil.yml');
  await writeFile(file, 'log: {level: info}\nhost: {enabled: false}\nprojects: {enabled: false}\nshipper: {enabled: false}\ndeployments: {enabled: true}\n');
  const child = spawn(
    process.execPath,
    [...(gcOnSignal ? ['--expose-gc', '--import', GC_ON_SIGNAL] : []), join(ROOT, 'dist/vigil.mjs'), 'serve', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${join(dir, 'data')}`],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VIGIL_API_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET } },
  );
  const port = await waitForPort(child, /"message":"Vigil is ready".*?"port":(\d+)/);
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

const TYPES = ['deployment_started', 'job_started', 'step_started', 'log_entry', 'step_completed', 'job_completed', 'deployment_completed'] as const;

/** The i-th event of an endless stream of pipelines (7 events each, all accepted, none repeated). */
function pipelineEvent(i: number): Record<string, unknown> {
  const type = TYPES[i % TYPES.length] as string;
  const e: Record<string, unknown> = { type, project: `project-${i % 5}`, deployment_id: Math.floor(i / TYPES.length), environment: 'production' };
  if (type !== 'deployment_started' && type !== 'deployment_completed') e.job = 'build';
  if (type.startsWith('step_') || type === 'log_entry') e.step = 'npm test';
  if (type.endsWith('_completed')) e.status = 'success';
  if (type === 'log_entry') e.message = 'tests passed: 412, failed: 0';
  return e;
}

interface Figures {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function cannon(url: string, path: string, headers: Record<string, string>, body: () => string, connections = 100): Promise<Figures> {
  const r = await autocannon({
    url,
    connections,
    duration: SECONDS,
    requests: [{ method: 'POST', path, headers, setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

async function singleEvents(vigil: Child, express: Child): Promise<void> {
  const v: Figures[] = [];
  const e: Figures[] = [];
  let i = 0;
  let j = 0;
  for (let r = 0; r < ROUNDS; r++) {
    v.push(await cannon(vigil.url, EVENTS_PATH, jsonHeaders, () => JSON.stringify(pipelineEvent(i++))));
    e.push(await cannon(express.url, EVENTS_PATH, jsonHeaders, () => JSON.stringify(pipelineEvent(j++))));
  }
  const vr = median(v.map((x) => x.rps));
  const er = median(e.map((x) => x.rps));
  console.log(`single event per request, 100 connections, ${ROUNDS} rounds of ${SECONDS} s each, alternated:`);
  console.log(`  vigil   rounds req/s: ${v.map((x) => round(x.rps, 0)).join(', ')}; p99 ms: ${v.map((x) => x.p99).join(', ')}; errors ${v.reduce((a, x) => a + x.errors + x.non2xx, 0)}`);
  console.log(`  express rounds req/s: ${e.map((x) => round(x.rps, 0)).join(', ')}; p99 ms: ${e.map((x) => x.p99).join(', ')}; errors ${e.reduce((a, x) => a + x.errors + x.non2xx, 0)}`);
  const ratios = v.map((x, k) => x.rps / (e[k] as Figures).rps);
  console.log(`  per-round ratio vigil/express: ${ratios.map((x) => round(x, 2)).join(', ')}`);
  console.log(
    `  median: vigil ${round(vr, 0)} req/s (p99 ${median(v.map((x) => x.p99))} ms), express ${round(er, 0)} req/s (p99 ${median(e.map((x) => x.p99))} ms); ratio of medians ${round(vr / er, 2)}x, median of per-round ratios ${round(median(ratios), 2)}x (target >= 0.8x, p99 < 100 ms)`,
  );
}

async function batches(vigil: Child, express: Child): Promise<void> {
  const v: Figures[] = [];
  const e: Figures[] = [];
  let i = 0;
  const batch = (): string => JSON.stringify(Array.from({ length: 50 }, () => pipelineEvent(i++)));
  for (let r = 0; r < ROUNDS; r++) {
    v.push(await cannon(vigil.url, EVENTS_PATH, jsonHeaders, batch, 20));
    e.push(await cannon(express.url, EVENTS_PATH, jsonHeaders, batch, 20));
  }
  const ve = median(v.map((x) => x.rps * 50));
  const ee = median(e.map((x) => x.rps * 50));
  console.log(`batches of 50 events, 20 connections:`);
  console.log(`  vigil   rounds events/s: ${v.map((x) => round(x.rps * 50, 0)).join(', ')}; errors ${v.reduce((a, x) => a + x.errors + x.non2xx, 0)}`);
  console.log(`  median: vigil ${round(ve, 0)} events/s (p99 ${median(v.map((x) => x.p99))} ms), express parse-only ${round(ee, 0)} events/s; ratio ${round(ve / ee, 2)}x (target >= 10,000 events/s)`);
}

async function githubJobs(vigil: Child, express: Child): Promise<void> {
  const fixture = await readFile(join(ROOT, 'test/fixtures/github-webhooks/workflow_job.completed.success.with-organization.payload.json'), 'utf8');
  const json = JSON.parse(fixture) as { workflow_job: { id: number; run_id: number } };
  json.workflow_job.id = 0x7fff0001;
  json.workflow_job.run_id = 0x7fff0002;
  const template = JSON.stringify(json, null, 2);
  let n = 0;
  let headers: Record<string, string> = {};
  const body = (): string => {
    n++;
    const b = template.replace('2147418113', String(1e9 + n)).replace('2147418114', String(2e9 + Math.floor(n / 10)));
    headers = { 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(b).digest('hex')}`, 'x-github-delivery': `bench-${n}` };
    return b;
  };
  const run = async (url: string): Promise<Figures> => {
    const r = await autocannon({
      url,
      connections: 100,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/webhooks/github',
          headers: { 'content-type': 'application/json', 'x-github-event': 'workflow_job', authorization: `Bearer ${TOKEN}` },
          setupRequest: (req) => {
            const b = body();
            return { ...req, body: b, headers: { ...req.headers, ...headers } };
          },
        },
      ],
    });
    return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
  };
  const v: Figures[] = [];
  for (let r = 0; r < ROUNDS; r++) v.push(await run(vigil.url));
  console.log(`signed GitHub workflow_job (${Buffer.byteLength(template)} bytes, distinct job and delivery ids), 100 connections:`);
  console.log(`  vigil   rounds req/s: ${v.map((x) => round(x.rps, 0)).join(', ')}; errors ${v.reduce((a, x) => a + x.errors + x.non2xx, 0)}`);
  console.log(`  median: ${round(median(v.map((x) => x.rps)), 0)} req/s (p99 ${median(v.map((x) => x.p99))} ms) (target >= 2,000 req/s)`);
  void express;
}

async function memory(dir: string): Promise<void> {
  const vigil = await startVigil(join(dir, 'memory'), true);
  try {
    const pid = vigil.child.pid as number;
    const heaps: number[] = [];
    const settledRss = async (): Promise<number> => {
      await sleep(1500); // the journal's last flush
      vigil.child.kill('SIGUSR2');
      await sleep(500);
      const text = await (await fetch(`${vigil.url}/metrics`)).text();
      heaps.push(Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN));
      return rssBytes(pid);
    };
    let i = 0;
    const send = async (count: number): Promise<void> => {
      const workers = Array.from({ length: 4 }, async () => {
        while (i < count) {
          const body = JSON.stringify(Array.from({ length: 500 }, () => pipelineEvent(i++)));
          const res = await fetch(`${vigil.url}${EVENTS_PATH}`, { method: 'POST', headers: jsonHeaders, body });
          if (res.status !== 202) throw new Error(`status ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
      });
      await Promise.all(workers);
    };
    const t0 = Date.now();
    await send(100_000); // warm-up: history fills to its bound, the JIT settles
    const warm = await settledRss();
    const samples: number[] = [];
    for (let step = 1; step <= 9; step++) {
      await send(100_000 + (step * (MEMORY_EVENTS - 100_000)) / 9);
      samples.push(await settledRss());
    }
    const end = await settledRss();
    const mb = (b: number): number => round(b / 2 ** 20, 1);
    console.log(`memory over ${i} events (batches of 500, default history bound of 1,000 runs; RSS read after a full GC) in ${round((Date.now() - t0) / 1000, 1)} s:`);
    console.log(`  RSS after 100,000 events ${mb(warm)} MiB; every ~100,000 after: ${samples.map(mb).join(', ')} MiB; at the end ${mb(end)} MiB`);
    console.log(`  growth ${mb(end - warm)} MiB (max sample growth ${mb(Math.max(...samples) - warm)} MiB) (target < 20 MB)`);
    console.log(`  V8 heap used after each GC: ${heaps.map(mb).join(', ')} MiB; growth ${mb((heaps.at(-1) ?? 0) - (heaps[0] ?? 0))} MiB, max ${mb(Math.max(...heaps) - (heaps[0] ?? 0))} MiB`);
  } finally {
    await vigil.stop();
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${machine()}`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' }); // dist/vigil.mjs, what `npm start` runs
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-deployments-'));
  const only = process.env.BENCH_ONLY;
  try {
    const vigil = await startVigil(join(dir, 'vigil'));
    const express = await startExpress();
    try {
      if (!only || only === 'single') await singleEvents(vigil, express);
      if (!only || only === 'batch') await batches(vigil, express);
      if (!only || only === 'github') await githubJobs(vigil, express);
    } finally {
      await vigil.stop();
      await express.stop();
    }
    if (!only || only === 'memory') await memory(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'express-child') await expressChild();
else await main();
