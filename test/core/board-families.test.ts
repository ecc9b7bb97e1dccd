/**
 * The boards and rules read only what the parts declare: every metric name in a Grafana panel
 * query (grafana/dashboards) and in a Prometheus rule (prometheus/rules) is a family some part (or
 * core) declares through its definition, under a declared prefix, or a recording rule's name.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PARTS } from '../../bin/parts';
import { SELF_FAMILIES } from '../../core/self-metrics';

const ROOT = join(import.meta.dirname, '../..');
const declared = new Map([...SELF_FAMILIES, ...PARTS.flatMap((d) => d.families)].map((f) => [f.name, f]));
const prefixes = PARTS.flatMap((d) => d.familyPrefixes ?? []);

interface RuleFile {
  groups?: { rules?: { record?: string; alert?: string; expr?: string }[] }[];
}

async function ruleFiles(): Promise<{ file: string; doc: RuleFile }[]> {
  const dir = join(ROOT, 'prometheus/rules');
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(files.map(async (file) => ({ file, doc: (parse(await readFile(join(dir, file), 'utf8')) as RuleFile | null) ?? {} })));
}

/** Every `expr` string in a parsed document, wherever it is nested. */
function exprsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) exprsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'expr' && typeof v === 'string') out.push(v);
      else exprsOf(v, out);
    }
  }
  return out;
}

/** The Vigil and node_exporter metric names a PromQL expression reads (label values left out). */
function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = code.matchAll(/\b([a-z_]+:[A-Za-z0-9_:]+|(?:node|process|nodejs|project|deployment|deployments|vigil)_[A-Za-z0-9_]*)\b/g);
  return [...new Set([...names].map((m) => m[1] as string))];
}

function isDeclared(name: string, records: ReadonlySet<string>): boolean {
  if (records.has(name) || declared.has(name) || prefixes.some((p) => name.startsWith(p))) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && (declared.get(base)?.type === 'histogram' || declared.get(base)?.type === 'summary');
}

test('every metric a board panel or a rule reads is declared by a part, or is a recording rule', async () => {
  const rules = await ruleFiles();
  const records = new Set(rules.flatMap(({ doc }) => (doc.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.record ? [r.record] : [])))));
  assert.ok(records.size > 0, 'the recording rules were read');
  const sources: { where: string; exprs: string[] }[] = rules.map(({ file, doc }) => ({ where: `prometheus/rules/${file}`, exprs: exprsOf(doc) }));
  const boards = join(ROOT, 'grafana/dashboards');
  for (const file of (await readdir(boards)).filter((f) => f.endsWith('.json')).sort()) {
    sources.push({ where: `grafana/dashboards/${file}`, exprs: exprsOf(JSON.parse(await readFile(join(boards, file), 'utf8'))) });
  }
  const problems: string[] = [];
  let checked = 0;
  for (const { where, exprs } of sources) {
    assert.ok(exprs.length > 0, `${where} has queries`);
    for (const expr of exprs) {
      for (const name of metricNames(expr)) {
        checked++;
        if (!isDeclared(name, records)) problems.push(`${where}: ${name} is declared by no part`);
      }
    }
  }
  assert.ok(checked > 100, `${checked} names checked`);
  assert.deepEqual([...new Set(problems)], []);
});

test('the check sees an undeclared name (a panel reading a family no part serves)', () => {
  assert.deepEqual(metricNames('sum by (project) (rate(project_checks_failed_total{project=~"$project"}[5m]))'), ['project_checks_failed_total']);
  assert.equal(isDeclared('project_checks_failed_total', new Set()), false);
  assert.equal(isDeclared('deployment_job_duration_seconds_bucket', new Set()), true);
  assert.equal(isDeclared('node_memory_MemAvailable_bytes', new Set()), true);
  assert.equal(isDeclared('project:up:ratio', new Set(['project:up:ratio'])), true);
});
