import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../bin/parts';
import { FAMILIES, renderAll, renderCycles, renderProject, renderStream, type ProjectView } from '../../../exporters/projects/render';
import type { ProbeResult } from '../../../exporters/projects/probes/probe';
import { readExposition, undeclared } from '../../helpers/exposition';
import { PART_FAMILIES } from '../../../exporters/projects/render';

const cfg = parseConfig(
  `projects:
  targets:
    - name: shop
      labels: {team: ops}
      checks:
        - {type: http, name: web, url: "https://shop.example/"}
        - {type: process, name: app, cmdline: shop}
    - name: blog
      checks:
        - {type: tcp, name: port, address: "blog.example:22"}
`,
  'vigil.yml',
  {},
).projects;

const results = (): Map<string, ProbeResult> =>
  new Map<string, ProbeResult>([
    ['web', { success: true, durationSeconds: 0.25, reason: '', http: { statusCode: 200, phases: { dns: 0.01, connect: 0.02, tls: 0.03, processing: 0.1, transfer: 0.09 }, certExpirySeconds: 1_900_000_000 } }],
    ['app', { success: false, durationSeconds: 0.01, reason: 'no process', process: { count: 2, cpuSeconds: 12.5, residentBytes: 1024 } }],
    ['port', { success: true, durationSeconds: 0.002, reason: '' }],
  ]);

const views = (): ProjectView[] =>
  cfg.targets.map((config) => ({ config, status: 'up', stateChanges: 1, lastCheckSeconds: 1_700_000_000, results: results() }));

test('a project with every family renders each sample under its own family, in declared order', () => {
  const text = renderAll(views().map(renderProject));
  const { families, problems } = readExposition(text);
  // The check that lines addressed by position failed: insert a family in the list without
  // shifting every index and samples land under the wrong HELP line, which this reports.
  assert.deepEqual(problems, []);
  assert.deepEqual(
    families.map((f) => f.name),
    FAMILIES.map((f) => f.name),
  );
  assert.deepEqual(undeclared(families, FAMILIES), []);
  assert.match(text, /^project_info\{project="shop",team="ops"\} 1$/m);
  assert.match(text, /^project_http_phase_duration_seconds\{project="shop",phase="tls"\} 0\.03$/m);
  assert.match(text, /^project_processes\{project="shop"\} 2$/m);
  assert.match(text, /^project_check_success\{project="blog",check="port"\} 1$/m);
  // Each family's samples of both projects sit together under one HELP line.
  assert.equal(families.find((f) => f.name === 'project_up')?.samples, 2);
});

test('families a project has no sample of are left out, and unknown status has no project_up', () => {
  const [shop] = cfg.targets;
  assert.ok(shop);
  const text = renderAll([renderProject({ config: shop, status: 'unknown', stateChanges: 0, lastCheckSeconds: undefined, results: new Map() })]);
  const { families, problems } = readExposition(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    families.map((f) => f.name),
    ['project_info'],
  );
});

test('the part\'s own families (cycles, live stream) render as declared', () => {
  const text = renderCycles(new Map([[60_000, 1.5], [15_000, 0.2]])) + renderStream(3, 1);
  const { families, problems } = readExposition(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(undeclared(families, PART_FAMILIES), []);
  assert.match(text, /vigil_projects_last_cycle_duration_seconds\{interval="15s"\} 0\.2\nvigil_projects_last_cycle_duration_seconds\{interval="60s"\} 1\.5\n/);
  assert.equal(renderCycles(new Map()), '');
});
