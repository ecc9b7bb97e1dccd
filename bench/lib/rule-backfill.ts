/**
 * Backfills the repository's recording rules over a backfilled history, as Prometheus would have
 * recorded them live (at a coarser step): each rule's expression is evaluated over the week with
 * query_range, in dependency passes (a rule that reads another waits for it), and its result is
 * cached per rule (keyed by the history, the expression, the step and the keys of the rules it
 * reads), so changing one rule re-evaluates only it and the rules that read it. The results are
 * written as OpenMetrics one 2-hour window at a time and turned into blocks with `promtool tsdb
 * create-blocks-from openmetrics` (what `create-blocks-from rules` does, without its 84 queries per
 * rule and without reading one large file once per 2-hour block).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CACHE_ROOT, cached, hashOf, linkBlocks } from './tsdb-cache';

export interface Rule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[] }[];
}

export interface SeriesValues {
  readonly metric: Record<string, string>;
  readonly values: [number, string][];
}

export interface RuleResult {
  readonly rule: Rule;
  readonly key: string;
  readonly series: SeriesValues[];
}

export interface PrometheusHandle {
  readonly url: string;
  stop(): Promise<void>;
}

export async function recordingRules(rulesDir: string): Promise<Rule[]> {
  const files = (await readdir(rulesDir)).filter((f) => f.endsWith('.yml')).sort();
  const out: Rule[] = [];
  for (const f of files) {
    const doc = parse(await readFile(join(rulesDir, f), 'utf8')) as RuleFile;
    for (const g of doc.groups) for (const r of g.rules) if (r.record) out.push({ record: r.record, expr: r.expr, ...(r.labels ? { labels: r.labels } : {}) });
  }
  return out;
}

/** Names of the other recording rules an expression reads. */
function reads(rule: Rule, names: ReadonlySet<string>): string[] {
  return [...names].filter((n) => n !== rule.record && new RegExp(`(?<![\\w:])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w:])`).test(rule.expr));
}

export function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${r.stderr || r.stdout}`);
}

function seriesText(record: string, metric: Readonly<Record<string, string>>): string {
  const { __name__: _drop, ...labels } = metric;
  return `${record}{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

/** Writes the results as blocks into `tsdb`, one 2-hour window (one promtool call) at a time. */
export async function writeRuleBlocks(results: readonly RuleResult[], tsdb: string, work: string, t0: number, t1: number): Promise<void> {
  const all = results.flatMap((r) => r.series.map((s) => ({ text: seriesText(r.rule.record, { ...s.metric, ...r.rule.labels }), values: s.values, next: 0 })));
  if (all.length === 0) return;
  const file = join(work, 'rules-window.om');
  for (let from = t0; from < t1 + 7200; from += 7200) {
    const lines: string[] = [];
    for (const s of all) {
      while (s.next < s.values.length && (s.values[s.next] as [number, string])[0] < from + 7200) {
        const [ts, v] = s.values[s.next++] as [number, string];
        if (Number.isFinite(Number(v))) lines.push(`${s.text} ${v} ${ts}`);
      }
    }
    if (lines.length === 0) continue;
    await writeFile(file, `${lines.join('\n')}\n# EOF\n`);
    run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, tsdb]);
  }
  await rm(file, { force: true });
}

/** query_range over [t0, t1] at `step`, in pieces under Prometheus's 11,000 points a series. */
async function evaluate(url: string, rule: Rule, t0: number, t1: number, step: number): Promise<SeriesValues[]> {
  const byKey = new Map<string, SeriesValues>();
  const piece = step * 10_000;
  for (let start = t0; start <= t1; start += piece + step) {
    const end = Math.min(t1, start + piece);
    const form = new URLSearchParams({ query: rule.expr, start: String(start), end: String(end), step: String(step) });
    const body = (await (await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: form })).json()) as { status: string; error?: string; data?: { result: SeriesValues[] } };
    if (body.status !== 'success') throw new Error(`${rule.record}: ${body.error ?? 'failed'}`);
    for (const s of body.data?.result ?? []) {
      const k = JSON.stringify(s.metric);
      const known = byKey.get(k);
      if (known) known.values.push(...s.values);
      else byKey.set(k, { metric: s.metric, values: [...s.values] });
    }
  }
  return [...byKey.values()];
}

export interface BackfillOptions {
  readonly rules: readonly Rule[];
  /** Cache key of the history the rules are evaluated on. */
  readonly historyKey: string;
  /** Directory of the history's blocks. */
  readonly historyBlocks: string;
  readonly t0: number;
  readonly t1: number;
  readonly step: number;
  readonly work: string;
  readonly startPrometheus: (tsdb: string) => Promise<PrometheusHandle>;
  readonly log: (line: string) => void;
}

/** Every rule's result over the history, from the cache or evaluated (in dependency passes). */
export async function ruleResults(o: BackfillOptions): Promise<RuleResult[]> {
  const names = new Set(o.rules.map((r) => r.record));
  const deps = new Map(o.rules.map((r) => [r, reads(r, names)]));
  const keyOf = new Map<Rule, string>();
  const done = new Map<Rule, RuleResult>();
  for (let pass = 0; done.size < o.rules.length; pass++) {
    const ready = o.rules.filter((r) => !done.has(r) && (deps.get(r) ?? []).every((n) => o.rules.filter((x) => x.record === n).every((x) => done.has(x))));
    if (ready.length === 0) throw new Error(`recording rules with circular or missing inputs: ${o.rules.filter((r) => !done.has(r)).map((r) => r.record).join(', ')}`);
    for (const r of ready) {
      const inputs = o.rules.filter((x) => (deps.get(r) ?? []).includes(x.record)).map((x) => keyOf.get(x) as string).sort();
      keyOf.set(r, hashOf(o.historyKey, String(o.step), r.record, r.expr, JSON.stringify(r.labels ?? {}), ...inputs));
    }
    const missing: Rule[] = [];
    for (const r of ready) {
      const file = join(cacheDirFor(keyOf.get(r) as string), 'result.json');
      try {
        done.set(r, { rule: r, key: keyOf.get(r) as string, series: JSON.parse(await readFile(file, 'utf8')) as SeriesValues[] });
      } catch {
        missing.push(r);
      }
    }
    if (missing.length === 0) continue;
    const t = performance.now();
    const tsdb = join(o.work, `tsdb-pass${pass}`);
    await mkdir(tsdb, { recursive: true });
    await linkBlocks(o.historyBlocks, tsdb);
    await writeRuleBlocks([...done.values()], tsdb, o.work, o.t0, o.t1);
    const prom = await o.startPrometheus(tsdb);
    try {
      for (const r of missing) {
        const series = await evaluate(prom.url, r, o.t0, o.t1, o.step);
        await cached(`rule-${keyOf.get(r) as string}`, async (dir) => writeFile(join(dir, 'result.json'), JSON.stringify(series)));
        done.set(r, { rule: r, key: keyOf.get(r) as string, series });
      }
    } finally {
      await prom.stop();
      await rm(tsdb, { recursive: true, force: true });
    }
    o.log(`rules pass ${pass}: ${missing.length} evaluated${missing.length <= 8 ? ` (${missing.map((r) => r.record).join(', ')})` : ''} in ${Math.round((performance.now() - t) / 1000)} s`);
  }
  return o.rules.map((r) => done.get(r) as RuleResult);
}

function cacheDirFor(key: string): string {
  return join(CACHE_ROOT, `rule-${key}`);
}
