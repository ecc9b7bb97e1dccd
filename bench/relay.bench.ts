/**
 * Issue 9 benchmarks (alert relay), against a robot stand-in in this process that answers
 * {"errcode":0} at once and notes when each message arrived:
 *  1. overhead at 50 notifications/s: time from this process starting the POST /alerts/bench to the
 *     robot receiving the message (queue write, 202, dispatcher, render, signing, robot call), p50 and
 *     p99; baseline: the same payload posted by this process straight to the robot stand-in, which is
 *     the cost of one loopback HTTP hop inside this process; and a bare forwarder in a process of its
 *     own (bench/lib/forwarder.ts), the floor of any relay: the same two cross-process hops, none of
 *     the work (rounds alternate relay, forwarder, direct). Each round starts with one second at the
 *     same rate that is not counted: the steady state at 50/s, not the first notification after the
 *     other path's round (a new connection each way, after 10 s in which the process was idle);
 *  2. the ceiling: bursts of notifications posted as fast as 32 connections can, accepted/s (202)
 *     and delivered/s (one target, one robot request at a time, no rate limit), each round drained;
 *  3. in this process, the relay's own work per notification: composing the message (view, template,
 *     size check, signing) and a queue cycle (append, read back, acknowledge).
 * Vigil runs as `npm start` runs it (the dist/vigil.mjs bundle), with the relay's rate limit raised
 * out of the way (the robot's 20 a minute would otherwise be the figure) and the default fsync.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { relayConfigSchema } from '../relay/config';
import { createComposer, loadTemplates } from '../relay/compose';
import { parsePayload } from '../relay/payload';
import { openQueue } from '../relay/queue';
import { Secret } from '../core/secrets';
import { machine } from './lib/machine';
import { startForwarder } from './lib/forwarder';
import { startVigilProcess, type ChildServer } from './lib/processes';
import { median, percentile, round } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = 50;
/** Notifications of one ceiling round. */
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const SECRET = 'SECbench-secret';

interface Robot {
  readonly url: string;
  /** seq -> performance.now() when its message arrived. */
  readonly arrived: Map<number, number>;
  close(): Promise<void>;
}

async function startRobot(): Promise<Robot> {
  const arrived = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      for (const m of body.matchAll(/seq(?:=|":")(\d+)/g)) if (!arrived.has(Number(m[1]))) arrived.set(Number(m[1]), at);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/robot/send?access_token=bench`, arrived, close: () => new Promise((r) => server.close(() => r())) };
}

/** An Alertmanager v4 payload of one firing alert whose labels carry `seq`. */
function payload(seq: number): string {
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="BenchAlert",seq="${seq}"}`,
    status: 'firing',
    receiver: 'bench',
    groupLabels: { alertname: 'BenchAlert' },
    commonLabels: { alertname: 'BenchAlert', severity: 'warning', seq: String(seq) },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'BenchAlert', severity: 'warning', project: 'shop', host: 'web-1', seq: String(seq) },
        annotations: { summary: 'The shop answers slowly', description: 'p99 latency above 2 s for 5 minutes.', dashboard_url: 'https://grafana.example/d/x', runbook_url: 'https://runbooks.example/x' },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example/graph',
        fingerprint: `f${seq}`,
      },
    ],
  });
}

let nextSeq = 1;

/**
 * The benchmark's HTTP client: node:http on kept-alive connections, as Alertmanager's Go client
 * keeps them. (fetch costs this process about 0.5 ms more a request, which is not the relay's.)
 */
const client = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a JSON body; resolves with the status once the answer is read. */
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: client, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Notifications at the start of each paced round that are sent (and checked for loss) but not timed: one second's. */
const WARMUP = RATE;

/**
 * Posts RATE notifications a second for SECONDS (after WARMUP more) to `url`; returns the latencies
 * to robot arrival in ms of all but the warm-up ones, and how many of all were lost or refused.
 */
async function paced(url: string, robot: Robot): Promise<{ latencies: number[]; lost: number; failed: number }> {
  const sent = new Map<number, number>();
  let failed = 0;
  const total = WARMUP + RATE * SECONDS;
  const timedFrom = nextSeq + WARMUP;
  const start = performance.now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const seq = nextSeq++;
    const body = payload(seq);
    sent.set(seq, performance.now());
    posts.push(
      post(url, body)
        .then((status) => {
          if (status >= 300) failed++;
        })
        .catch(() => void failed++),
    );
  }
  await Promise.all(posts);
  for (let i = 0; i < 100 && [...sent.keys()].some((s) => !robot.arrived.has(s)); i++) await sleep(100);
  const latencies: number[] = [];
  let lost = 0;
  for (const [seq, t0] of sent) {
    const t1 = robot.arrived.get(seq);
    if (t1 === undefined) lost++;
    else if (seq >= timedFrom) latencies.push(t1 - t0);
  }
  return { latencies, lost, failed };
}

/**
 * A burst of BURST notifications posted as fast as 32 connections can: accepted/s (202s over the
 * posting time) and delivered/s (arrivals at the robot over the time from the first post to the last
 * arrival). Each round waits until its burst is delivered, so rounds do not share a backlog.
 */
async function ceiling(url: string, robot: Robot): Promise<{ accepted: number; delivered: number }> {
  const first = nextSeq;
  const last = first + BURST;
  let accepted = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (nextSeq < last) {
      if ((await post(url, payload(nextSeq++))) === 202) accepted++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const postedFor = (performance.now() - start) / 1000;
  const count = (): number => {
    let n = 0;
    for (let s = first; s < last; s++) if (robot.arrived.has(s)) n++;
    return n;
  };
  for (let i = 0; i < 1200 && count() < accepted; i++) await sleep(100);
  let lastArrival = start;
  for (let s = first; s < last; s++) lastArrival = Math.max(lastArrival, robot.arrived.get(s) ?? 0);
  return { accepted: accepted / postedFor, delivered: count() / ((lastArrival - start) / 1000) };
}

/** Mean milliseconds of composing one message and of one queue cycle, over `n` of each. */
async function inProcess(dir: string, n: number): Promise<{ compose: number; queue: number }> {
  const cfg = relayConfigSchema.parse({ enabled: true, targets: { b: { type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x' } } });
  const target = cfg.targets.b;
  if (!target) throw new Error('no target');
  const compose = createComposer(cfg, target, new Secret(SECRET, 'bench'), loadTemplates(cfg), () => undefined);
  const parsed = parsePayload(JSON.parse(payload(1)));
  if (!parsed.ok) throw new Error('bad payload');
  let t = performance.now();
  for (let i = 0; i < n; i++) compose([parsed.payload], Date.now());
  const composeMs = (performance.now() - t) / n;
  const queue = await openQueue({ dir: join(dir, 'queue'), maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 1000 });
  t = performance.now();
  for (let i = 0; i < n; i++) {
    queue.push(parsed.payload, Date.now());
    const [e] = await queue.peek(1);
    if (e) queue.ack(1, e.next);
  }
  const queueMs = (performance.now() - t) / n;
  queue.close();
  return { compose: composeMs, queue: queueMs };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-relay-'));
  const robot = await startRobot();
  const config = join(dir, 'vigil.yml');
  await writeFile(
    config,
    `host: {enabled: false}
projects: {enabled: false}
deployments: {enabled: false}
shipper: {enabled: false}
relay:
  enabled: true
  language: en
  rate_limit: {messages: 10000, window: 1s}
  targets:
    bench: {type: dingtalk, url: "${robot.url}", secret: "${SECRET}"}
`,
  );
  let vigil: ChildServer | undefined;
  let forwarder: ChildServer | undefined;
  try {
    vigil = await startVigilProcess(config, join(dir, 'data'));
    forwarder = await startForwarder(robot.url);
    const relayUrl = `${vigil.url}/alerts/bench`;
    console.log(`machine: ${machine()}`);
    console.log(`overhead at ${RATE} notifications/s, ${ROUNDS} rounds of ${SECONDS} s, alternated with a bare forwarder and the direct post:`);
    const paths = { relay: relayUrl, forwarder: `${forwarder.url}/alerts/bench`, direct: robot.url };
    const results: Record<keyof typeof paths, { p50: number; p99: number }[]> = { relay: [], forwarder: [], direct: [] };
    await paced(relayUrl, robot); // warm-up (JIT, connections, first segment)
    for (let r = 0; r < ROUNDS; r++) {
      const parts: string[] = [];
      for (const [name, url] of Object.entries(paths) as [keyof typeof paths, string][]) {
        const x = await paced(url, robot);
        const p = { p50: percentile(x.latencies, 50), p99: percentile(x.latencies, 99) };
        results[name].push(p);
        parts.push(`${name} p50 ${round(p.p50, 2)} ms p99 ${round(p.p99, 2)} ms (lost ${x.lost}, non-2xx ${x.failed})`);
      }
      console.log(`  round ${r + 1}: ${parts.join('; ')}`);
    }
    const med = (name: keyof typeof paths, q: 'p50' | 'p99'): number => median(results[name].map((x) => x[q]));
    console.log(
      `  median: relay p50 ${round(med('relay', 'p50'), 2)} ms, p99 ${round(med('relay', 'p99'), 2)} ms; bare forwarder p50 ${round(med('forwarder', 'p50'), 2)} ms, p99 ${round(med('forwarder', 'p99'), 2)} ms; direct p50 ${round(med('direct', 'p50'), 2)} ms, p99 ${round(med('direct', 'p99'), 2)} ms; relay / forwarder p99 ${round(med('relay', 'p99') / med('forwarder', 'p99'), 1)}x (target: relay p99 < 10 ms)`,
    );

    console.log(`ceiling, 32 connections, ${ROUNDS} rounds of a burst of ${BURST} notifications:`);
    const bursts: { accepted: number; delivered: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const c = await ceiling(relayUrl, robot);
      bursts.push(c);
      console.log(`  round ${r + 1}: accepted ${round(c.accepted, 0)}/s, delivered ${round(c.delivered, 0)}/s`);
    }
    console.log(`  median: accepted ${round(median(bursts.map((x) => x.accepted)), 0)} notifications/s, delivered ${round(median(bursts.map((x) => x.delivered)), 0)} notifications/s to one robot`);

    const costs: { compose: number; queue: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) costs.push(await inProcess(join(dir, `costs-${r}`), 2000));
    console.log(
      `in-process cost per notification, ${ROUNDS} rounds of 2,000: compose ${round(median(costs.map((c) => c.compose)), 3)} ms, queue append + read + ack ${round(median(costs.map((c) => c.queue)), 3)} ms`,
    );
  } finally {
    await vigil?.stop();
    await forwarder?.stop();
    await robot.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
