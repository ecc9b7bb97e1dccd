import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../bin/parts';
import type { ProjectConfig } from '../../../exporters/projects/config';
import type { ProbeResult } from '../../../exporters/projects/probes/probe';
import { newProjectState, projectStatus, reconfigure, settleRun } from '../../../exporters/projects/project-state';

const project = (yaml: string): ProjectConfig => {
  const [cfg] = parseConfig(`projects:\n  targets:\n${yaml}`, 'vigil.yml', {}).projects.targets;
  assert.ok(cfg);
  return cfg;
};
const SHOP = project(`    - name: shop
      retries: 2
      checks:
        - {type: http, name: web, url: "http://shop/"}
        - {type: tcp, name: db, address: "db:5432"}
`);
const ok: ProbeResult = { success: true, durationSeconds: 0.01, reason: '' };
const refused: ProbeResult = { success: false, durationSeconds: 0.01, reason: 'connection refused' };
const results = (web: ProbeResult, db: ProbeResult): Map<string, ProbeResult> => new Map([['web', web], ['db', db]]);

test('a new project is unknown, not checking, and already has its lines', () => {
  const state = newProjectState(SHOP);
  assert.deepEqual({ ...projectStatus(state), results: [...projectStatus(state).results] }, {
    name: 'shop', config: SHOP, status: 'unknown', failures: 0, stateChanges: 0, lastCheckSeconds: undefined, results: [], checking: false,
  });
  // Known to exist, not yet up or down: project_info only, no project_up.
  assert.deepEqual(Object.keys(state.rendered), ['project_info']);
});

test('a run settles with flap damping: down only after `retries` failed runs, up on the first passing one', () => {
  const state = newProjectState(SHOP);
  assert.deepEqual(settleRun(state, results(ok, refused), 100), { from: 'unknown', to: 'unknown', reason: 'db: connection refused' });
  assert.equal(state.failures, 1);
  assert.deepEqual(settleRun(state, results(refused, refused), 160), { from: 'unknown', to: 'down', reason: 'web: connection refused; db: connection refused' });
  // Leaving "unknown" is not a state change; leaving "down" is.
  assert.equal(state.stateChanges, 0);
  assert.deepEqual(settleRun(state, results(ok, ok), 220), { from: 'down', to: 'up', reason: 'all checks passed' });
  assert.equal(state.stateChanges, 1);
  assert.equal(state.failures, 0);
  assert.equal(state.lastCheckSeconds, 220);
  assert.equal(state.rendered.project_up, 'project_up{project="shop"} 1\n');
  assert.equal(state.rendered.project_state_changes_total, 'project_state_changes_total{project="shop"} 1\n');
});

test('a check without a result does not pass', () => {
  const state = newProjectState(SHOP);
  settleRun(state, new Map([['web', ok]]), 1);
  assert.equal(state.failures, 1);
});

test('a changed project keeps its status and the kept checks\' results, and abandons the old run', () => {
  const state = newProjectState(SHOP);
  settleRun(state, results(ok, ok), 1);
  const abort = new AbortController();
  state.abort = abort;
  state.running = Promise.resolve();
  const next = project(`    - name: shop
      checks:
        - {type: http, name: web, url: "http://shop/"}
        - {type: tcp, name: db, address: "db2:5432"}
`);
  reconfigure(state, next, new Set(['web']));
  assert.equal(state.status, 'up');
  assert.equal(state.version, 1);
  assert.deepEqual([...state.results.keys()], ['web']);
  assert.equal(abort.signal.aborted, true);
  assert.equal(state.running, undefined);
  assert.equal(state.config, next);
});
