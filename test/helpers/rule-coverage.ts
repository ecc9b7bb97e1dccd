import { parse } from 'yaml';

/**
 * What the project requires of every Prometheus rule, and of the promtool unit tests for it,
 * as a list of problems (empty when all hold). Pure: give it the rule files' and test files' text.
 *
 * Every alert: a severity of critical, warning or info; summary, description and a dashboard_url
 * or runbook_url; a `for` of at least a minute; and in the tests, for each of its severities, a
 * quiet case (an alert_rule_test expecting no alert), a pending case (a promql_expr_test on
 * ALERTS{alertstate="pending"} that expects it) and a firing case (an alert_rule_test expecting
 * it, labels and annotations). Every recording rule but the `threshold:*` constants: a
 * promql_expr_test whose expression starts with its name.
 */

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups?: { name: string; rules?: Rule[] }[];
}
interface AlertTest {
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}
interface ExprTest {
  expr: string;
  exp_samples?: { labels: string }[];
}
interface TestFile {
  tests?: { alert_rule_test?: AlertTest[]; promql_expr_test?: ExprTest[] }[];
}

export interface NamedText {
  readonly path: string;
  readonly text: string;
}

const SEVERITIES = new Set(['critical', 'warning', 'info']);

const durationSeconds = (d: string | undefined): number => {
  const m = /^(\d+)([smh])$/.exec(d ?? '');
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] : 0;
};

/** The rules of every file, with where they come from. */
function rulesOf(files: readonly NamedText[]): { file: string; rule: Rule }[] {
  return files.flatMap((f) => ((parse(f.text) as RuleFile | null)?.groups ?? []).flatMap((g) => (g.rules ?? []).map((rule) => ({ file: f.path, rule }))));
}

function alertProblems(where: string, rule: Rule): string[] {
  const out: string[] = [];
  const severity = rule.labels?.severity ?? '';
  if (!SEVERITIES.has(severity)) out.push(`${where}: severity "${severity}" is not critical, warning or info`);
  for (const key of ['summary', 'description']) if (!rule.annotations?.[key]) out.push(`${where}: no ${key} annotation`);
  if (!rule.annotations?.dashboard_url && !rule.annotations?.runbook_url) out.push(`${where}: neither dashboard_url nor runbook_url`);
  if (durationSeconds(rule.for) < 60) out.push(`${where}: for "${rule.for ?? ''}" is under a minute`);
  return out;
}

export function ruleCoverage(ruleFiles: readonly NamedText[], testFiles: readonly NamedText[]): string[] {
  const tests = testFiles.flatMap((f) => (parse(f.text) as TestFile | null)?.tests ?? []);
  const alertTests = tests.flatMap((t) => t.alert_rule_test ?? []);
  const exprTests = tests.flatMap((t) => t.promql_expr_test ?? []);
  const problems: string[] = [];
  for (const { file, rule } of rulesOf(ruleFiles)) {
    if (rule.record) {
      if (rule.record.startsWith('threshold:') || rule.record.startsWith('vigil:settings')) continue;
      const name = rule.record;
      if (!exprTests.some((t) => t.expr.trim().startsWith(name) && (t.exp_samples?.length ?? 0) > 0)) problems.push(`${file}: recording rule ${name} has no promql_expr_test`);
      continue;
    }
    const name = rule.alert ?? '';
    const severity = rule.labels?.severity ?? '';
    const where = `${file}: alert ${name} (${severity})`;
    problems.push(...alertProblems(where, rule));
    const mine = alertTests.filter((t) => t.alertname === name);
    if (!mine.some((t) => (t.exp_alerts ?? []).length === 0)) problems.push(`${where}: no quiet test (alert_rule_test with exp_alerts: [])`);
    if (!mine.some((t) => (t.exp_alerts ?? []).some((a) => a.exp_labels?.severity === severity && Object.keys(a.exp_annotations ?? {}).length > 0))) {
      problems.push(`${where}: no firing test with its labels and annotations`);
    }
    const pending = (s: { labels: string }): boolean =>
      s.labels.includes(`alertname="${name}"`) && s.labels.includes('alertstate="pending"') && s.labels.includes(`severity="${severity}"`);
    if (!exprTests.some((t) => (t.exp_samples ?? []).some(pending))) problems.push(`${where}: no pending test (ALERTS{alertstate="pending"} in a promql_expr_test)`);
  }
  return problems;
}
