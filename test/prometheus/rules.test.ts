/**
 * prometheus/: the rules pass `promtool check`, every alert and recording rule has its promtool
 * unit tests (quiet, pending, firing with exact labels and annotations), and those tests pass
 * against the real promtool. A wrong expectation or an untested alert fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ruleCoverage, type NamedText } from '../helpers/rule-coverage';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../prometheus');

async function promtool(args: string[], cwd = ROOT): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

async function texts(dir: string): Promise<NamedText[]> {
  const names = (await readdir(join(ROOT, dir))).filter((n) => n.endsWith('.yml')).sort();
  return Promise.all(names.map(async (n) => ({ path: `${dir}/${n}`, text: await readFile(join(ROOT, dir, n), 'utf8') })));
}

describe('prometheus/', () => {
  it('promtool check config: the config and every rule file are valid, without a warning', async () => {
    const { code, out } = await promtool(['check', 'config', 'prometheus.yml']);
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /WARNING/i, out);
    for (const f of await texts('rules')) assert.match(out, new RegExp(`Checking ${f.path}\\n\\s+SUCCESS`), out);
  });

  it('prometheus.yml with remote-write.yml appended (docker-compose.scale.yml) is valid too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-scale-'));
    try {
      await symlink(join(ROOT, 'rules'), join(dir, 'rules'));
      await symlink(join(ROOT, 'targets'), join(dir, 'targets'));
      const joined = (await readFile(join(ROOT, 'prometheus.yml'), 'utf8')) + (await readFile(join(ROOT, 'remote-write.yml'), 'utf8'));
      await writeFile(join(dir, 'prometheus.yml'), joined);
      const { code, out } = await promtool(['check', 'config', 'prometheus.yml'], dir);
      assert.equal(code, 0, out);
      assert.doesNotMatch(out, /WARNING/i, out);
      assert.match(out, /SUCCESS: 5 rule files found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('promtool check rules: clean', async () => {
    const files = (await texts('rules')).map((f) => f.path);
    const { code, out } = await promtool(['check', 'rules', ...files]);
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /WARNING|FAILED/i, out);
  });

  it('promtool test rules: every test file passes', async () => {
    const files = (await texts('tests')).map((f) => f.path);
    assert.deepEqual(files, ['tests/deployments.test.yml', 'tests/host.test.yml', 'tests/projects.test.yml', 'tests/stack.test.yml']);
    const { code, out } = await promtool(['test', 'rules', ...files]);
    assert.equal(code, 0, out);
    assert.equal(out.match(/SUCCESS/g)?.length, files.length, out);
  });

  it('every alert has severity, summary, description, a link, a for, and quiet, pending and firing tests; every recording rule a test', async () => {
    const rules = await texts('rules');
    const tests = await texts('tests');
    assert.deepEqual(ruleCoverage(rules, tests), []);
    // the check looked at every alert: 35 alerting rules in all
    const alerts = rules.flatMap((f) => [...f.text.matchAll(/^\s+- alert: (\S+)/gm)].map((m) => m[1]));
    assert.ok(alerts.length >= 30, `${alerts.length} alerts`);
  });

  it('the coverage check names an alert without tests and a recording rule without a test', () => {
    const rules: NamedText[] = [
      {
        path: 'rules/x.yml',
        text: `groups:
  - name: x
    rules:
      - record: host:thing:ratio
        expr: vector(1)
      - alert: Untested
        expr: vector(1)
        for: 5m
        labels: {severity: warning}
        annotations: {summary: s, description: d, dashboard_url: u}
      - alert: Sloppy
        expr: vector(1)
        labels: {severity: page}
        annotations: {summary: s}
`,
      },
    ];
    const tests: NamedText[] = [
      {
        path: 'tests/x.yml',
        text: `tests:
  - interval: 1m
    alert_rule_test:
      - {eval_time: 0m, alertname: Sloppy, exp_alerts: []}
`,
      },
    ];
    assert.deepEqual(ruleCoverage(rules, tests), [
      'rules/x.yml: recording rule host:thing:ratio has no promql_expr_test',
      'rules/x.yml: alert Untested (warning): no quiet test (alert_rule_test with exp_alerts: [])',
      'rules/x.yml: alert Untested (warning): no firing test with its labels and annotations',
      'rules/x.yml: alert Untested (warning): no pending test (ALERTS{alertstate="pending"} in a promql_expr_test)',
      'rules/x.yml: alert Sloppy (page): severity "page" is not critical, warning or info',
      'rules/x.yml: alert Sloppy (page): no description annotation',
      'rules/x.yml: alert Sloppy (page): neither dashboard_url nor runbook_url',
      'rules/x.yml: alert Sloppy (page): for "" is under a minute',
      'rules/x.yml: alert Sloppy (page): no firing test with its labels and annotations',
      'rules/x.yml: alert Sloppy (page): no pending test (ALERTS{alertstate="pending"} in a promql_expr_test)',
    ]);
  });

  it('the promtool tests are exact: one changed word in an expected description fails them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
    try {
      await cp(ROOT, dir, { recursive: true });
      const file = join(dir, 'tests/projects.test.yml');
      const text = await readFile(file, 'utf8');
      const changed = text.replace('description: Project shop on web-1 fails its checks', 'description: Project shop on web-2 fails its checks');
      assert.notEqual(changed, text);
      await writeFile(file, changed);
      const { code, out } = await promtool(['test', 'rules', 'tests/projects.test.yml'], dir);
      assert.equal(code, 1, out);
      assert.match(out, /alertname: ProjectDown/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
