/**
 * Issue 13: do the boards open fast on a week of history? Backfills 7 days for 20 hosts, 100
 * projects and ~3,000 deployments (`promtool tsdb create-blocks-from openmetrics`), backfills the
 * repository's recording rules over it (`promtool tsdb create-blocks-from rules`), then sends every
 * board's queries as Grafana would for a 7-day range (query_range with Grafana's step, instant
 * queries, variables) and times them per board. Then, for each recording rule the boards read,
 * the same 7-day query on the rule's own expression, which is what the board would cost without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderBoards } from '../grafana/src/build';
import { boardRequests, resolveVariables, send, type BoardJson, type PromRequest } from '../grafana/src/grafana-queries';
import { startDaemon } from '../test/helpers/daemon';
import { freePort } from '../test/helpers/ports';
import { DEFAULT_SHAPE, history } from './lib/history';
import { machine } from './lib/machine';
import { median, round } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_HOSTS / BENCH_PROJECTS shrink the history for a quick trial run. */
const SHAPE = { ...DEFAULT_SHAPE, hosts: Number(process.env.BENCH_HOSTS ?? DEFAULT_SHAPE.hosts), projects: Number(process.env.BENCH_PROJECTS ?? DEFAULT_SHAPE.projects) };
const RULES_DIR = join(import.meta.dirname, '..', 'prometheus', 'rules');
/** prometheus/prometheus.yml's scrape interval, the datasource's timeInterval. */
const SCRAPE_SECONDS = 15;
/** Rule evaluation step of the backfill in seconds (the live one is 15 s; 5 min keeps the 7-day rules' backfill to minutes). */
const RULE_BACKFILL_STEP = 300;

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; interval?: string; rules: Rule[] }[];
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${r.stderr || r.stdout}`);
}

async function startPrometheus(dir: string, tsdb: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  await writeFile(join(dir, 'prometheus.yml'), 'global: {scrape_interval: 15s}\n');
  const url = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon({
    command: 'prometheus',
    args: [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${tsdb}`, '--storage.tsdb.retention.time=30d', `--web.listen-address=127.0.0.1:${port}`],
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: 120_000,
  });
  return { url, stop: () => daemon.stop() };
}

async function backfillSamples(tsdb: string, work: string, h: ReturnType<typeof history>): Promise<number> {
  let bytes = 0;
  for (let from = h.t0; from < h.t1; from += 7200) {
    const file = join(work, 'window.om');
    const text = h.window(from, from + 7200);
    bytes += text.length;
    await writeFile(file, text);
    run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb]);
  }
  await rm(join(work, 'window.om'), { force: true });
  return bytes;
}

async function ruleFiles(): Promise<RuleFile[]> {
  const files = (await readdir(RULES_DIR)).filter((f) => f.endsWith('.yml')).sort();
  return Promise.all(files.map(async (f) => parse(await readFile(join(RULES_DIR, f), 'utf8')) as RuleFile));
}

/**
 * Backfills the recording rules in dependency passes (a rule that reads another waits for it):
 * each rule's expression is evaluated once over the week with query_range at the backfill step,
 * and the result written as OpenMetrics blocks, which is what `promtool tsdb create-blocks-from
 * rules` does per 2 h block (84 queries per rule, too slow here for the 7-day rules).
 */
async function backfillRules(dir: string, tsdb: string, t0: number, t1: number): Promise<void> {
  const rules = (await ruleFiles()).flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r) => r.record)));
  const names = new Set(rules.map((r) => r.record as string));
  const done = new Set<string>();
  for (let pass = 0; done.size < rules.length && pass < 4; pass++) {
    const ready = rules.filter((r) => !done.has(r.record as string) && [...names].every((n) => n === r.record || done.has(n) || !r.expr.includes(n)));
    if (ready.length === 0) break;
    const prom = await startPrometheus(dir, tsdb);
    const lines: string[] = [];
    try {
      for (const r of ready) {
        const form = new URLSearchParams({ query: r.expr, start: String(t0), end: String(t1), step: String(RULE_BACKFILL_STEP) });
        const body = (await (await fetch(`${prom.url}/api/v1/query_range`, { method: 'POST', body: form })).json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
        if (body.status !== 'success') throw new Error(`${r.record as string}: ${body.error ?? 'failed'}`);
        for (const series of body.data?.result ?? []) {
          const { __name__: _drop, ...metric } = { ...series.metric, ...r.labels };
          const text = `${r.record as string}{${Object.entries(metric).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
          for (const [ts, v] of series.values) if (Number.isFinite(Number(v))) lines.push(`${text} ${v} ${ts}`);
        }
      }
    } finally {
      await prom.stop();
    }
    const file = join(dir, `rules-pass${pass}.om`);
    await writeFile(file, `${lines.join('\n')}\n# EOF\n`);
    if (lines.length > 0) run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb]);
    await rm(file);
    for (const r of ready) done.add(r.record as string);
  }
}

async function timed(url: string, r: PromRequest): Promise<{ ms: number; series: number; error?: string }> {
  const start = performance.now();
  const answer = await send(url, r);
  return { ms: performance.now() - start, series: answer.series, ...(answer.error ? { error: answer.error } : {}) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-grafana-'));
  const tsdb = join(dir, 'tsdb');
  await mkdir(tsdb);
  try {
    const h = history(Date.now() / 1000, SHAPE);
    process.stdout.write(`machine: ${machine()}\nhistory: ${SHAPE.hosts} hosts, ${SHAPE.projects} projects, ${SHAPE.projects * SHAPE.deploysPerProject} deployments, ${h.series} series over 7 days; host and project samples every ${SHAPE.step} s, deployment samples every ${SHAPE.deployStep} s\n`);
    let t = performance.now();
    const bytes = await backfillSamples(tsdb, dir, h);
    process.stdout.write(`backfill: ${round(bytes / 2 ** 30, 2)} GiB of OpenMetrics in ${round((performance.now() - t) / 1000)} s\n`);
    t = performance.now();
    await backfillRules(dir, tsdb, h.t0, h.t1);
    process.stdout.write(`recording rules backfilled every ${RULE_BACKFILL_STEP} s in ${round((performance.now() - t) / 1000)} s\n`);

    const prom = await startPrometheus(dir, tsdb);
    try {
      const range = { from: h.t1 - 7 * 86400, to: h.t1 };
      const boards = [...renderBoards().values()].map((text) => JSON.parse(text) as BoardJson);
      process.stdout.write('\nboard | queries | total ms (median of rounds) | slowest query ms | empty\n');
      for (const board of boards) {
        const totals: number[] = [];
        let slowest: { what: string; ms: number } = { what: '', ms: 0 };
        let empty: string[] = [];
        let count = 0;
        for (let i = 0; i < ROUNDS; i++) {
          const vars = await resolveVariables(prom.url, board, range, SCRAPE_SECONDS);
          const requests = boardRequests(board, vars, range, SCRAPE_SECONDS);
          let total = 0;
          empty = [];
          for (const r of requests) {
            const res = await timed(prom.url, r);
            if (res.error) throw new Error(`${board.uid} ${r.what}: ${res.error}`);
            if (res.series === 0) empty.push(r.what);
            total += res.ms;
            if (i === ROUNDS - 1 && res.ms > slowest.ms) slowest = { what: r.what, ms: res.ms };
          }
          totals.push(total);
          count = requests.length;
        }
        process.stdout.write(`${board.uid} | ${count} | ${round(median(totals))} | ${round(slowest.ms)} (${slowest.what}) | ${empty.length ? empty.join('; ') : '-'}\n`);
      }
      await compareRules(prom.url, boards, range);
    } finally {
      await prom.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each recording rule a board reads: 7 days at a 10 min step (Grafana's for a half-width panel) from the rule's series and from its expression. */
async function compareRules(url: string, boards: readonly BoardJson[], range: { from: number; to: number }): Promise<void> {
  const used = new Set(boards.flatMap((b) => b.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr ?? ''))).join('\n').match(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g) ?? []);
  const rules = (await ruleFiles()).flatMap((f) => f.groups.flatMap((g) => g.rules)).filter((r) => r.record && used.has(r.record));
  process.stdout.write('\nrecording rule | 7-day query on the rule ms | on its expression ms | ratio\n');
  for (const r of rules) {
    const req = (expr: string): PromRequest => ({ board: '', what: r.record as string, kind: 'range', expr, start: Math.floor(range.from / 600) * 600, end: range.to, step: 600 });
    const viaRule: number[] = [];
    const viaExpr: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      viaRule.push((await timed(url, req(r.record as string))).ms);
      viaExpr.push((await timed(url, req(r.expr))).ms);
    }
    process.stdout.write(`${r.record as string} | ${round(median(viaRule))} | ${round(median(viaExpr))} | ${round(median(viaExpr) / median(viaRule))}\n`);
  }
}

await main();
