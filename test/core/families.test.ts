/**
 * The one metrics model: families declared with defineFamilies (validated when the declaring
 * module loads), addressed by name, distinct across parts (refused at start), and every part's
 * /metrics matching what its definition declares.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { PARTS } from '../../bin/parts';
import { createApp, familyOwners } from '../../core/app';
import { parseConfig, type PartList } from '../../core/config';
import { assertDistinctFamilies, byName, defineFamilies, joinByFamily, promOptions } from '../../core/exposition';
import { createLogger } from '../../core/logger';
import { definePart } from '../../core/part';
import { SELF_FAMILIES } from '../../core/self-metrics';
import { startVigil } from '../helpers/vigil';
import { readExposition, undeclared } from '../helpers/exposition';
import { postEvents, TOKEN } from '../exporters/deployments/helpers';
import { httpServer } from '../exporters/projects/servers';
import { startRobotStub } from '../relay/robot-stub';
import { samplePayload } from '../relay/fixtures';

describe('defineFamilies validates names and labels where the families are declared', () => {
  const one = (name: string, labels: string[] = []) => defineFamilies([{ name, type: 'gauge', help: 'h', labels }]);

  test('accepts Prometheus names and returns each family with its HELP/TYPE header', () => {
    const [f] = defineFamilies([{ name: 'vigil_x_seconds', type: 'counter', help: 'A line\nand a \\ backslash.', labels: ['a', 'b_2'] }]);
    assert.equal(f.header, '# HELP vigil_x_seconds A line\\nand a \\\\ backslash.\n# TYPE vigil_x_seconds counter\n');
    assert.deepEqual(promOptions(f), { name: 'vigil_x_seconds', help: 'A line\nand a \\ backslash.', labelNames: ['a', 'b_2'] });
  });

  test('refuses a bad metric name', () => {
    for (const bad of ['project-up', '1st_metric', '', 'a b', 'é']) assert.throws(() => one(bad), /invalid metric name/, bad);
  });

  test('refuses a bad or reserved label name, and a label given twice', () => {
    for (const bad of ['__name', 'a-b', '9lives', '', 'a:b']) assert.throws(() => one('ok_metric', [bad]), /invalid label name/, bad);
    assert.throws(() => one('ok_metric', ['a', 'a']), /ok_metric: a label name is given twice/);
  });

  test('refuses a family name given twice in one list', () => {
    assert.throws(
      () =>
        defineFamilies([
          { name: 'dup_total', type: 'counter', help: 'h', labels: [] },
          { name: 'dup_total', type: 'counter', help: 'h', labels: [] },
        ]),
      /metric family dup_total is declared twice/,
    );
  });

  test('a module declaring a bad family fails when it is imported, not at the first scrape', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-families-'));
    try {
      const file = join(dir, 'bad-part-metrics.ts');
      const core = pathToFileURL(join(import.meta.dirname, '../../core/exposition.ts')).href;
      await writeFile(file, `import { defineFamilies } from '${core}';\nexport const F = defineFamilies([{ name: 'bad-name', type: 'gauge', help: 'h', labels: [] }]);\n`);
      await assert.rejects(import(pathToFileURL(file).href), /invalid metric name "bad-name"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('joinByFamily files sample lines under their family by name', () => {
  const F = defineFamilies([
    { name: 'a_info', type: 'gauge', help: 'A.', labels: ['p'] },
    { name: 'b_up', type: 'gauge', help: 'B.', labels: ['p'] },
    { name: 'c_total', type: 'counter', help: 'C.', labels: ['p'] },
  ]);

  test('joins in declared order whatever order the groups were filled in; families without samples are left out', () => {
    const text = joinByFamily(F, [{ b_up: 'b_up{p="1"} 1\n', a_info: 'a_info{p="1"} 1\n' }, { a_info: 'a_info{p="2"} 1\n' }]);
    assert.equal(text, `${F[0].header}a_info{p="1"} 1\na_info{p="2"} 1\n${F[1].header}b_up{p="1"} 1\n`);
    assert.deepEqual(readExposition(text).problems, []);
    assert.equal(byName(F).c_total, F[2]);
  });
});

describe('family names are distinct across parts', () => {
  const fam = (name: string) => ({ name, type: 'gauge' as const, help: 'h', labels: [] });

  test('two owners declaring one name are refused, naming the family and both owners', () => {
    assert.throws(
      () => assertDistinctFamilies([{ owner: 'part "a"', families: [fam('x_up')] }, { owner: 'part "b"', families: [fam('y'), fam('x_up')] }]),
      /metric family x_up is declared by part "a" and by part "b"/,
    );
  });

  test('a name under another owner\'s prefix, and overlapping prefixes, are refused; an owner\'s own prefix is fine', () => {
    assertDistinctFamilies([{ owner: 'part "host"', families: [fam('node_memory_x')], prefixes: ['node_memory_'] }]);
    assert.throws(
      () => assertDistinctFamilies([{ owner: 'part "host"', families: [], prefixes: ['node_memory_'] }, { owner: 'part "b"', families: [fam('node_memory_rss_bytes')] }]),
      /node_memory_rss_bytes of part "b" is under the prefix node_memory_ of part "host"/,
    );
    assert.throws(
      () => assertDistinctFamilies([{ owner: 'part "host"', families: [], prefixes: ['node_'] }, { owner: 'part "b"', families: [], prefixes: ['node_x_'] }]),
      /prefix node_x_ of part "b" overlaps node_ of part "host"/,
    );
  });

  test('the composition root\'s parts and core declare distinct names', () => {
    assert.doesNotThrow(() => assertDistinctFamilies(familyOwners(PARTS)));
  });

  const partWith = (section: string, families: ReturnType<typeof fam>[]) =>
    definePart({
      section,
      schema: z.strictObject({ enabled: z.boolean().default(true) }),
      dataset: 'vigil.app',
      families,
      create: () => assert.fail('not created: the app refuses the list first'),
    });
  const appWith = (parts: PartList) =>
    createApp({
      configFile: 'vigil.yml',
      config: parseConfig('', 'vigil.yml', {}, parts),
      env: {},
      logger: createLogger({ level: 'error', silent: true }),
      parts,
      routePrefix: '',
    });

  test('the app refuses at start a part list where two parts declare one family', () => {
    assert.throws(() => appWith([partWith('one', [fam('shared_total')]), partWith('two', [fam('shared_total')])]), /metric family shared_total is declared by part "one" and by part "two"/);
  });

  test('the app refuses a part declaring one of core\'s own families', () => {
    assert.throws(() => appWith([partWith('copycat', [fam('process_cpu_seconds_total')])]), /process_cpu_seconds_total is declared by core \(self metrics\) and by part "copycat"/);
  });
});

test('every part serves exactly the families its definition declares, each sample under its own HELP line', async () => {
  const target = await httpServer((_req, res) => res.end('ok'));
  const robot = await startRobotStub('SECfamilies');
  const yaml = `host: {collectors: [cpu, loadavg, meminfo, netstat, vmstat, stat, filesystem, netdev, uname, time]}
projects:
  targets:
    - name: shop
      labels: {team: ops}
      checks:
        - {type: http, name: web, url: "http://127.0.0.1:${target.port}/"}
        - {type: process, name: self, cmdline: "node"}
deployments: {enabled: true}
shipper: {enabled: true}
relay:
  enabled: true
  retry: {initial: 50ms, max: 200ms}
  targets:
    ops: {type: dingtalk, url: "${robot.url}", secret: SECfamilies}
`;
  const vigil = await startVigil(yaml, { env: { VIGIL_API_TOKEN: TOKEN } });
  try {
    const base = { project: 'shop', deployment_id: 'd1', environment: 'production' };
    const events = [
      { ...base, type: 'deployment_started', started_at: '2024-05-01T12:00:00Z', commit: 'abc' },
      { ...base, type: 'job_started', job: 'build', started_at: '2024-05-01T12:00:05Z' },
      { ...base, type: 'step_started', job: 'build', step: 'npm ci', started_at: '2024-05-01T12:00:05Z' },
      { ...base, type: 'step_completed', job: 'build', step: 'npm ci', status: 'success', finished_at: '2024-05-01T12:00:45Z' },
      { ...base, type: 'job_completed', job: 'build', status: 'success', finished_at: '2024-05-01T12:01:05Z' },
      { ...base, type: 'deployment_completed', status: 'success', finished_at: '2024-05-01T12:02:00Z' },
    ];
    for (const e of events) assert.equal((await postEvents(vigil.url, e)).status, 202);
    const alert = await fetch(`${vigil.url}/alerts/ops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(samplePayload(1)) });
    assert.equal(alert.status, 202);
    await robot.waitFor((m) => m.length > 0);
    let text = '';
    for (let i = 0; i < 100 && !/^project_check_success\{project="shop",check="self"\}/m.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await fetch(`${vigil.url}/metrics`)).text();
    }
    const { families, problems } = readExposition(text);
    assert.deepEqual(problems, []);
    const declared = [...SELF_FAMILIES, ...PARTS.flatMap((d) => d.families)];
    const prefixes = PARTS.flatMap((d) => d.familyPrefixes ?? []);
    assert.deepEqual(undeclared(families, declared, prefixes), []);
    // Every part (but the portal, which has no metrics) is in the text.
    for (const name of ['node_cpu_seconds_total', 'project_http_phase_duration_seconds', 'deployment_step_duration_seconds', 'vigil_shipper_up', 'vigil_notifications_total']) {
      assert.ok(families.some((f) => f.name === name), name);
    }
  } finally {
    await vigil.stop();
    await robot.close();
    await target.close();
  }
});
