/**
 * Issue 13: do the boards open fast on a week of history? Backfills 7 days for 20 hosts, 100
 * projects and ~3,000 deployments (`promtool tsdb create-blocks-from openmetrics`), backfills the
 * repository's recording rules over it (bench/lib/rule-backfill.ts), lets Prometheus compact the
 * blocks as a week-old Prometheus would have, then sends every board's requests as Grafana would
 * for a 7-day range (query_range with Grafana's step, instant queries, variables, the annotation
 * with Grafana's annotation step), one after another, and prints each board's total (median of
 * BENCH_ROUNDS) and its slowest requests. Last, for each recording rule the boards read, the same
 * 7-day query on the rule's own expression (BENCH_COMPARE=0 skips it).
 *
 * Everything generated is cached (bench/lib/tsdb-cache.ts, keyed by the generator, the shape and
 * each rule), so a second run only starts Prometheus on the compacted blocks; a changed rule
 * re-evaluates only itself and the rules that read it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderBoards } from '../grafana/src/build';
import { boardRequests, resolveVariables, send, type BoardJson, type PromRequest } from '../grafana/src/grafana-queries';
import { startDaemon } from '../test/helpers/daemon';
import { freePort } from '../test/helpers/ports';
import { DEFAULT_SHAPE, history, type History } from './lib/history';
import { machine } from './lib/machine';
import { recordingRules, ruleResults, run, writeRuleBlocks, type PrometheusHandle, type Rule } from './lib/rule-backfill';
import { median, round } from './lib/stats';
import { cached, hashOf, linkBlocks, prune } from './lib/tsdb-cache';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_HOSTS / BENCH_PROJECTS shrink the history for a quick trial; BENCH_STEP / BENCH_DEPLOY_STEP set its sample density. */
const SHAPE = {
  ...DEFAULT_SHAPE,
  hosts: Number(process.env.BENCH_HOSTS ?? DEFAULT_SHAPE.hosts),
  projects: Number(process.env.BENCH_PROJECTS ?? DEFAULT_SHAPE.projects),
  step: Number(process.env.BENCH_STEP ?? DEFAULT_SHAPE.step),
  deployStep: Number(process.env.BENCH_DEPLOY_STEP ?? DEFAULT_SHAPE.deployStep),
};
const RULES_DIR = join(import.meta.dirname, '..', 'prometheus', 'rules');
/** prometheus/prometheus.yml's scrape interval, the datasource's timeInterval. */
const SCRAPE_SECONDS = 15;
/** Rule evaluation step of the backfill in seconds (live: 15 s; BENCH_RULE_STEP). */
const RULE_STEP = Number(process.env.BENCH_RULE_STEP ?? 300);
/** How many of each board's slowest requests to print. */
const SLOWEST = Number(process.env.BENCH_SLOWEST ?? 8);

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function startPrometheus(tsdb: string): Promise<PrometheusHandle & { metric(name: string): Promise<number> }> {
  const port = await freePort();
  const config = join(tsdb, '..', `prometheus-${port}.yml`);
  await writeFile(config, 'global: {scrape_interval: 15s}\n');
  const url = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon({
    command: 'prometheus',
    args: [`--config.file=${config}`, `--storage.tsdb.path=${tsdb}`, '--storage.tsdb.retention.time=30d', `--web.listen-address=127.0.0.1:${port}`],
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: 300_000,
  });
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  return { url, metric, stop: () => daemon.stop() };
}

async function backfillSamples(tsdb: string, work: string, h: History): Promise<number> {
  let bytes = 0;
  const file = join(work, 'window.om');
  for (let from = h.t0; from < h.t1; from += 7200) {
    const text = h.window(from, from + 7200);
    bytes += text.length;
    await writeFile(file, text);
    run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb]);
  }
  await rm(file, { force: true });
  return bytes;
}

interface HistoryMeta {
  t0: number;
  t1: number;
  series: number;
  bytes: number;
  seconds: number;
}

/** The history's blocks, from the cache or generated (keyed by the generator's source and shape). */
async function historyBlocks(): Promise<{ key: string; blocks: string; meta: HistoryMeta }> {
  const key = hashOf(await readFile(join(import.meta.dirname, 'lib', 'history.ts'), 'utf8'), JSON.stringify(SHAPE));
  const entry = await cached(`history-${key}`, async (dir) => {
    const h = history(Date.now() / 1000, SHAPE);
    await mkdir(join(dir, 'blocks'));
    const t = performance.now();
    const bytes = await backfillSamples(join(dir, 'blocks'), dir, h);
    const meta: HistoryMeta = { t0: h.t0, t1: h.t1, series: h.series, bytes, seconds: (performance.now() - t) / 1000 };
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
  });
  const meta = JSON.parse(await readFile(join(entry.dir, 'meta.json'), 'utf8')) as HistoryMeta;
  log(`history ${entry.hit ? 'from the cache' : 'generated'} (${entry.dir}): ${meta.series} series, ${round(meta.bytes / 2 ** 30, 2)} GiB of OpenMetrics backfilled in ${round(meta.seconds)} s`);
  return { key, blocks: join(entry.dir, 'blocks'), meta };
}

/**
 * Lets Prometheus compact the backfilled blocks as it would have over the week (overlapping rule
 * and sample blocks merged, then 2 h → 6 h → 18 h → 54 h), so that queries read blocks like a
 * week-old Prometheus's: its first compaction starts a minute after start; the second trigger, a
 * minute after the first compaction ended, proves that one finished.
 */
async function compact(tsdb: string): Promise<void> {
  const prom = await startPrometheus(tsdb);
  try {
    const before = await prom.metric('prometheus_tsdb_blocks_loaded');
    const deadline = Date.now() + 60 * 60_000;
    while ((await prom.metric('prometheus_tsdb_compactions_triggered_total')) < 2) {
      if (Date.now() > deadline) throw new Error('compaction did not finish within an hour');
      await new Promise((r) => setTimeout(r, 5000));
    }
    if ((await prom.metric('prometheus_tsdb_compactions_failed_total')) > 0) throw new Error('a compaction failed');
    log(`compacted: ${before} blocks → ${await prom.metric('prometheus_tsdb_blocks_loaded')}`);
  } finally {
    await prom.stop();
  }
}

/** History + every recording rule, compacted, from the cache or built. */
async function store(work: string): Promise<{ blocks: string; meta: HistoryMeta; rules: readonly Rule[] }> {
  const h = await historyBlocks();
  const rules = await recordingRules(RULES_DIR);
  let t = performance.now();
  const results = await ruleResults({ rules, historyKey: h.key, historyBlocks: h.blocks, t0: h.meta.t0, t1: h.meta.t1, step: RULE_STEP, work, startPrometheus, log });
  log(`recording rules (${rules.length}, every ${RULE_STEP} s over the week) ready in ${round((performance.now() - t) / 1000)} s`);
  const name = `store-${h.key}-${hashOf(...results.map((r) => r.key))}`;
  t = performance.now();
  const entry = await cached(name, async (dir) => {
    const blocks = join(dir, 'blocks');
    await mkdir(blocks);
    await linkBlocks(h.blocks, blocks);
    await writeRuleBlocks(results, blocks, dir, h.meta.t0, h.meta.t1);
    await compact(blocks);
  });
  if (!entry.hit) log(`history + rules written and compacted in ${round((performance.now() - t) / 1000)} s`);
  // superseded stores of this history (older rules); histories of other shapes stay (remove them by hand)
  await prune(`store-${h.key}-`, [name]);
  return { blocks: join(entry.dir, 'blocks'), meta: h.meta, rules };
}

async function timed(url: string, r: PromRequest): Promise<{ ms: number; series: number; error?: string }> {
  const start = performance.now();
  const answer = await send(url, r);
  return { ms: performance.now() - start, series: answer.series, ...(answer.error ? { error: answer.error } : {}) };
}

/** Opens the board ROUNDS times; per request and per round, the time of each request sent one after another. */
async function openBoard(url: string, board: BoardJson, range: { from: number; to: number }): Promise<void> {
  const totals: number[] = [];
  const perRequest = new Map<string, number[]>();
  let empty: string[] = [];
  let count = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const vars = await resolveVariables(url, board, range, SCRAPE_SECONDS);
    const requests = boardRequests(board, vars, range, SCRAPE_SECONDS);
    let total = 0;
    empty = [];
    for (const r of requests) {
      const res = await timed(url, r);
      if (res.error) throw new Error(`${board.uid} ${r.what}: ${res.error}`);
      if (res.series === 0) empty.push(r.what);
      total += res.ms;
      perRequest.set(r.what, [...(perRequest.get(r.what) ?? []), res.ms]);
    }
    totals.push(total);
    count = requests.length;
  }
  const slowest = [...perRequest].map(([what, ms]) => ({ what, ms: median(ms) })).sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
  log(`\n${board.uid}: ${count} requests, total ${round(median(totals))} ms (median of ${ROUNDS}; rounds ${totals.map((x) => round(x, 0)).join(', ')})`);
  for (const s of slowest) log(`  ${round(s.ms)} ms  ${s.what}`);
  if (empty.length) log(`  empty: ${empty.join('; ')}`);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'vigil-bench-grafana-'));
  try {
    log(`machine: ${machine()}`);
    log(`history: ${SHAPE.hosts} hosts, ${SHAPE.projects} projects, ${SHAPE.projects * SHAPE.deploysPerProject} deployments over 7 days; host and project samples every ${SHAPE.step} s, deployment samples every ${SHAPE.deployStep} s, rules every ${RULE_STEP} s`);
    const s = await store(work);
    const tsdb = join(work, 'tsdb');
    await mkdir(tsdb);
    await linkBlocks(s.blocks, tsdb);
    const prom = await startPrometheus(tsdb);
    try {
      log(`\nPrometheus on ${await prom.metric('prometheus_tsdb_blocks_loaded')} blocks; load average ${loadavg().map((x) => round(x, 2)).join(' ')}`);
      const range = { from: s.meta.t1 - 7 * 86400, to: s.meta.t1 };
      const boards = [...renderBoards().values()].map((text) => JSON.parse(text) as BoardJson);
      for (const board of boards) await openBoard(prom.url, board, range);
      log(`\nload average after the boards: ${loadavg().map((x) => round(x, 2)).join(' ')}`);
      if (process.env.BENCH_COMPARE !== '0') await compareRules(prom.url, boards, range, s.rules);
    } finally {
      await prom.stop();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Each recording rule a board reads: 7 days at a 10 min step (Grafana's for a half-width panel) from the rule's series and from its expression. */
async function compareRules(url: string, boards: readonly BoardJson[], range: { from: number; to: number }, all: readonly Rule[]): Promise<void> {
  const exprs = boards.flatMap((b) => [...b.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr ?? '')), ...b.annotations.list.map((a) => a.expr ?? '')]).join('\n');
  const used = new Set(exprs.match(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g) ?? []);
  const rules = all.filter((r) => used.has(r.record) && !r.record.startsWith('threshold:'));
  log('\nrecording rule | 7-day query on the rule ms | on its expression ms | ratio');
  for (const r of rules) {
    const req = (expr: string): PromRequest => ({ board: '', what: r.record, kind: 'range', expr, start: Math.floor(range.from / 600) * 600, end: range.to, step: 600 });
    const viaRule: number[] = [];
    const viaExpr: number[] = [];
    for (let i = 0; i < 3; i++) {
      viaRule.push((await timed(url, req(r.record))).ms);
      viaExpr.push((await timed(url, req(r.expr))).ms);
    }
    log(`${r.record} | ${round(median(viaRule))} | ${round(median(viaExpr))} | ${round(median(viaExpr) / median(viaRule))}`);
  }
}

await main();
