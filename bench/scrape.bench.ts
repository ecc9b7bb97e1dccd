/**
 * Issue 3 benchmarks: scrape cost of Vigil's /metrics (host + 100 projects) against Debian's
 * prometheus-node-exporter limited to the same collectors, alternated in the same run; /metrics
 * render time with 1,000 projects; time to probe 1,000 projects in one cycle; idle RSS with 100.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { COLLECTOR_NAMES } from '../exporters/host/config';
import { load } from './lib/load';
import { machine } from './lib/machine';
import { rssBytes, startNodeExporter, startVigilProcess, stopChild, type ChildServer } from './lib/processes';
import { freePort } from '../test/helpers/ports';
import { median, round } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Vigil's default host collectors; node_exporter is asked for the same ones, by the same names. */
const NODE_EXPORTER_COLLECTORS = [...COLLECTOR_NAMES];
/** BENCH_ONLY=scrape runs the two scrape comparisons only. */
const ONLY = process.env.BENCH_ONLY;

/** Local check targets: one answers 200 at once, one never answers (for the cycle benchmark). */
async function startTargets(): Promise<{ ok: number; hang: number; close(): Promise<void> }> {
  const ok = createServer((_req, res) => res.end('ok'));
  const hang = createServer(() => undefined);
  const listen = (s: Server): Promise<number> =>
    new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
  const [okPort, hangPort] = [await listen(ok), await listen(hang)];
  return {
    ok: okPort,
    hang: hangPort,
    async close() {
      hang.closeAllConnections();
      ok.closeAllConnections();
      await Promise.all([new Promise((r) => ok.close(r)), new Promise((r) => hang.close(r))]);
    },
  };
}

function projectsYaml(count: number, okPort: number, opts: { interval: string; hanging?: number; timeout?: string }): string {
  const lines = [`  interval: ${opts.interval}`, '  targets:'];
  for (let i = 0; i < count; i++) {
    const port = i < (opts.hanging ?? 0) ? -1 : okPort;
    lines.push(
      `    - name: project-${i}`,
      `      labels: { team: team-${i % 10}, environment: production }`,
      '      checks:',
      port === -1
        ? `        - { type: http, url: "http://127.0.0.1:HANG/healthz", timeout: ${opts.timeout ?? '5s'} }`
        : `        - { type: http, url: "http://127.0.0.1:${okPort}/healthz", timeout: ${opts.timeout ?? '5s'} }`,
    );
  }
  return lines.join('\n');
}

function config(projects: string, host = true): string {
  return `log: {level: warn}
host: {enabled: ${host}}
deployments: {enabled: false}
shipper: {enabled: false}
projects:
${projects}
`;
}

async function startVigilWith(dir: string, name: string, yaml: string): Promise<ChildServer> {
  const file = join(dir, `${name}.yml`);
  await writeFile(file, yaml);
  return startVigilProcess(file, join(dir, `data-${name}`));
}

async function countUp(url: string): Promise<{ checked: number; text: string }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return { checked: text.match(/^project_last_check_timestamp_seconds\{/gm)?.length ?? 0, text };
}

async function waitChecked(url: string, want: number, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const { checked } = await countUp(url);
    if (checked >= want) return (Date.now() - start) / 1000;
    if (Date.now() - start > timeoutMs) throw new Error(`only ${checked} of ${want} projects checked after ${timeoutMs} ms`);
    await sleep(100);
  }
}

const sampleCount = (text: string): number => text.split('\n').filter((l) => l && !l.startsWith('#')).length;

/** CPU time (user + system, all threads) a process has used, in ms, from /proc/PID/stat. */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of USER_HZ = 100
}

/**
 * Alternates node_exporter and Vigil round by round at one connection; scrapes/s medians and ratio,
 * and CPU time per scrape of each process (less sensitive than scrapes/s to other load on the machine).
 */
async function compareScrapes(label: string, vigilUrl: string, vigilPid: number, neUrl: string, nePid: number): Promise<string> {
  const vigilSamples = sampleCount(await (await fetch(vigilUrl)).text());
  const neSamples = sampleCount(await (await fetch(neUrl)).text());
  const v: number[] = [];
  const n: number[] = [];
  await load({ url: vigilUrl, connections: 1, durationSeconds: 2 }); // warm-up
  await load({ url: neUrl, connections: 1, durationSeconds: 2 });
  const nCpu: number[] = [];
  const vCpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const n0 = await cpuMs(nePid);
    const a = await load({ url: neUrl, connections: 1, durationSeconds: SECONDS });
    const n1 = await cpuMs(nePid);
    const v0 = await cpuMs(vigilPid);
    const b = await load({ url: vigilUrl, connections: 1, durationSeconds: SECONDS });
    const v1 = await cpuMs(vigilPid);
    if (a.errors || a.non2xx || b.errors || b.non2xx) throw new Error('errors during the scrape benchmark');
    n.push(a.requestsPerSecond);
    v.push(b.requestsPerSecond);
    nCpu.push((n1 - n0) / (a.requestsPerSecond * SECONDS));
    vCpu.push((v1 - v0) / (b.requestsPerSecond * SECONDS));
    process.stdout.write(`${label} round ${i + 1}: node_exporter ${round(a.requestsPerSecond)}/s, vigil ${round(b.requestsPerSecond)}/s\n`);
  }
  return (
    `scrape (${label}): node_exporter with the same ${NODE_EXPORTER_COLLECTORS.length} collectors (${neSamples} samples) median ${round(median(n))} scrapes/s; ` +
    `vigil (${vigilSamples} samples) median ${round(median(v))} scrapes/s; ratio ${round(median(v) / median(n), 2)}x; ` +
    `rounds (node_exporter / vigil): ${n.map((x, i) => `${round(x)} / ${round(v[i] as number)}`).join(', ')}; ` +
    `CPU per scrape median node_exporter ${round(median(nCpu), 2)} ms, vigil ${round(median(vCpu), 2)} ms (ratio ${round(median(nCpu) / median(vCpu), 2)}x); ` +
    `load average after: ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`
  );
}

/**
 * The floor under any Node.js exporter on this machine: a bare node:http server in its own process
 * answering every request with the same text of `bytes` bytes, prepared once (nothing read, nothing
 * rendered), scraped the same way. Its scrapes/s are the most a Node.js /metrics of that size gets.
 */
async function httpFloor(bytes: number): Promise<string> {
  const port = await freePort();
  const server = `const body = Buffer.alloc(${bytes}, 'node_x 1\\n');
require('node:http').createServer((_q, s) => { s.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': body.length }); s.end(body); }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', server], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100 && !(await fetch(url).then((r) => r.ok, () => false)); i++) await sleep(100);
    await load({ url, connections: 1, durationSeconds: 2 });
    const rates: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = await cpuMs(child.pid as number);
      const r = await load({ url, connections: 1, durationSeconds: SECONDS });
      rates.push(r.requestsPerSecond);
      cpu.push(((await cpuMs(child.pid as number)) - c0) / (r.requestsPerSecond * SECONDS));
    }
    return `floor: a bare node:http server answering a prepared ${round(bytes / 1024)} KiB text: median ${round(median(rates))} scrapes/s, CPU per scrape ${round(median(cpu), 3)} ms`;
  } finally {
    await stopChild(child);
  }
}

async function scrapeComparison(dir: string, okPort: number): Promise<string[]> {
  const nodeExporter = await startNodeExporter();
  const neUrl = `${nodeExporter.url}/metrics?${NODE_EXPORTER_COLLECTORS.map((c) => `collect[]=${c}`).join('&')}`;
  const out: string[] = [];
  try {
    const hostOnly = await startVigilWith(dir, 'scrape-host', config('  enabled: false'));
    let bytes = 0;
    try {
      bytes = (await (await fetch(`${hostOnly.url}/metrics`)).arrayBuffer()).byteLength;
      out.push(await compareScrapes('host only', `${hostOnly.url}/metrics`, hostOnly.child.pid as number, neUrl, nodeExporter.child.pid as number));
    } finally {
      await hostOnly.stop();
    }
    out.push(await httpFloor(bytes));
    const vigil = await startVigilWith(dir, 'scrape-100', config(projectsYaml(100, okPort, { interval: '1h' })));
    try {
      await waitChecked(vigil.url, 100, 30_000);
      out.push(await compareScrapes('host + 100 projects', `${vigil.url}/metrics`, vigil.child.pid as number, neUrl, nodeExporter.child.pid as number));
      const rss = await rssBytes(vigil.child.pid as number);
      out.push(`rss: vigil with 100 projects after ${ROUNDS * SECONDS * 2}s of scraping: ${round(rss / 2 ** 20)} MiB`);
    } finally {
      await vigil.stop();
    }
  } finally {
    await nodeExporter.stop();
  }
  return out;
}

async function idleRss(dir: string, okPort: number): Promise<string> {
  const vigil = await startVigilWith(dir, 'idle-100', config(projectsYaml(100, okPort, { interval: '15s' })));
  try {
    await waitChecked(vigil.url, 100, 30_000);
    await sleep(35_000); // two more check cycles, then idle
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(await rssBytes(vigil.child.pid as number));
      await sleep(1000);
    }
    return `idle rss: vigil with host + 100 projects checked every 15s: median ${round(median(samples) / 2 ** 20)} MiB (target < 120 MiB)`;
  } finally {
    await vigil.stop();
  }
}

async function thousandProjects(dir: string, okPort: number, hangPort: number): Promise<string[]> {
  const hanging = 20;
  const yaml = config(projectsYaml(1000, okPort, { interval: '1m', hanging, timeout: '5s' }).replaceAll('HANG', String(hangPort)));
  const t0 = Date.now();
  const vigil = await startVigilWith(dir, 'p1000', yaml);
  try {
    const started = (Date.now() - t0) / 1000;
    const cycle = await waitChecked(vigil.url, 1000, 60_000);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const s = process.hrtime.bigint();
      const res = await fetch(`${vigil.url}/metrics`);
      await res.text();
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const bytes = (await countUp(vigil.url)).text.length;
    return [
      `cycle: 1,000 projects (${hanging} hanging with a 5s timeout, concurrency 32) all probed ${round(cycle)} s after start (process up in ${round(started)} s; target < 60 s)`,
      `render: /metrics with host + 1,000 projects (${round(bytes / 1024)} KiB) median ${round(median(times), 2)} ms over ${times.length} scrapes (target < 20 ms)`,
    ];
  } finally {
    await vigil.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-'));
  const targets = await startTargets();
  const out = [`machine: ${machine()}`, `command: npm run bench -- scrape (BENCH_ROUNDS=${ROUNDS}, BENCH_SECONDS=${SECONDS})`];
  try {
    out.push(...(await scrapeComparison(dir, targets.ok)));
    if (ONLY !== 'scrape') {
      out.push(...(await thousandProjects(dir, targets.ok, targets.hang)));
      out.push(await idleRss(dir, targets.ok));
    }
  } finally {
    await targets.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${out.join('\n')}\n`);
}

await main();
