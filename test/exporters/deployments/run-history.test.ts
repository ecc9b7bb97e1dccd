/**
 * The run history alone (no HTTP): events in any order and repeated, each completion announced
 * once; the run counter turns the announcements into metrics.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../bin/parts';
import { createDeploymentMetrics } from '../../../exporters/deployments/metrics';
import type { RunRecord } from '../../../exporters/deployments/model';
import { createRunCounter } from '../../../exporters/deployments/run-counter';
import { createRunHistory, type Change, type RunRef } from '../../../exporters/deployments/run-history';
import { parseMetrics, series } from './helpers';

const config = (history = '') => parseConfig(`deployments:\n  history: {${history}}\n`, 'vigil.yml', {}).deployments;

function setup(history = '') {
  const cfg = config(history);
  let clock = Date.parse('2024-05-01T12:00:00Z');
  const runs = createRunHistory(cfg, () => clock);
  const metrics = createDeploymentMetrics(cfg.metrics);
  const counter = createRunCounter(metrics, cfg.metrics);
  const changes: Change[] = [];
  runs.subscribe((c) => changes.push(c));
  runs.subscribe(counter.count);
  const scrape = async (): Promise<Map<string, number>> => {
    counter.refreshGauges(runs.all(), clock - cfg.history.stale_after);
    return parseMetrics(await metrics.registry.metrics());
  };
  return { runs, changes, scrape, tick: (ms: number) => (clock += ms) };
}

const ref: RunRef = { id: 'gh-7-1', source: 'github', kind: 'workflow_run', project: 'shop', workflow: 'ci', run_id: '7', run_attempt: 1 };
const at = (s: number) => new Date(Date.parse('2024-05-01T12:00:00Z') + s * 1000).toISOString();
const steps = (n: number, status: 'in_progress' | 'completed', conclusion: string | null = null) =>
  Array.from({ length: n }, (_, i) => ({ name: `s${i}`, number: i + 1, status: i === 0 ? 'completed' as const : status, conclusion: i === 0 ? 'success' : conclusion, started_at: at(i), finished_at: i === 0 || status === 'completed' ? at(i + 1) : null }));

describe('run history', () => {
  test('a run completes once: a repeated or older event is a duplicate and announces nothing', async () => {
    const h = setup();
    assert.equal(h.runs.applyRun({ ...ref, status: 'in_progress', started_at: at(0) }, 'in_progress').outcome, 'accepted');
    assert.equal(h.runs.applyRun({ ...ref, status: 'completed', conclusion: 'success', started_at: at(0), finished_at: at(90) }, 'completed').outcome, 'accepted');
    assert.equal(h.runs.applyRun({ ...ref, status: 'completed', conclusion: 'failure', finished_at: at(95) }, 'completed').outcome, 'duplicate');
    assert.equal(h.runs.applyRun({ ...ref, status: 'queued' }, 'requested').outcome, 'duplicate');
    assert.deepEqual(
      h.changes.map((c) => [c.action, c.runCompleted ?? false]),
      [
        ['in_progress', false],
        ['completed', true],
      ],
    );
    const run = h.runs.get(ref.id) as RunRecord;
    assert.equal(run.conclusion, 'success');
    assert.equal(run.duration_seconds, 90);
    assert.equal('counted' in run, false, 'no counting flags in the record the journal and the API see');
    const m = await h.scrape();
    assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'shop', workflow: 'ci', conclusion: 'success' })), 1);
  });

  test('a job sent with its steps: steps complete with the job, those past history.max_steps_per_job included, each once', async () => {
    const h = setup('max_steps_per_job: 2');
    const job = { id: '100', name: 'build', created_at: at(0), started_at: at(2) };
    h.runs.applyJob(ref, { ...job, status: 'in_progress', steps: steps(4, 'in_progress') }, 'in_progress');
    assert.equal(h.changes.at(-1)?.completedSteps, undefined, 'a completed step of a running job waits for the job');
    h.runs.applyJob(ref, { ...job, status: 'completed', conclusion: 'failure', finished_at: at(60), steps: steps(4, 'completed', 'failure') }, 'completed');
    const done = h.changes.at(-1) as Change;
    assert.equal(done.jobCompleted, true);
    assert.deepEqual(
      done.completedSteps?.map((s) => s.name),
      ['s0', 's1', 's2', 's3'],
    );
    assert.deepEqual(
      done.failedSteps?.map((s) => s.name),
      ['s1', 's2', 's3'],
    );
    assert.deepEqual(
      (h.runs.get(ref.id) as RunRecord).jobs[0]?.steps.map((s) => s.name),
      ['s0', 's1'],
      'two steps kept',
    );
    assert.equal(h.runs.applyJob(ref, { ...job, status: 'completed', conclusion: 'failure', steps: steps(4, 'completed', 'failure') }, 'completed').outcome, 'duplicate');
    const m = await h.scrape();
    assert.equal(m.get(series('deployment_job_runs_total', { project: 'shop', workflow: 'ci', job_name: 'build', conclusion: 'failure' })), 1);
    assert.equal(m.get(series('deployment_step_duration_seconds_count', { project: 'shop', workflow: 'ci', job_name: 'build', step: 's0', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_step_duration_seconds_count', { project: 'shop', workflow: 'ci', job_name: 'build', step: 's3', conclusion: 'failure' })), 1);
    assert.equal(m.get(series('deployment_job_queue_seconds_count', { project: 'shop', workflow: 'ci', job_name: 'build' })), 1);
  });

  test('step events complete a step once; the job completing later does not count its steps again', async () => {
    const h = setup();
    const api: RunRef = { ...ref, id: 'shop:b1', source: 'api', kind: 'pipeline' };
    h.runs.applyStep(api, 'build', { name: 'test', status: 'in_progress', started_at: at(0) }, 'step_started');
    h.runs.applyStep(api, 'build', { name: 'test', status: 'completed', conclusion: 'success', started_at: at(0), finished_at: at(30) }, 'step_completed');
    assert.equal(h.runs.applyStep(api, 'build', { name: 'test', status: 'completed', conclusion: 'success' }, 'step_completed').outcome, 'duplicate');
    h.runs.applyJob(api, { id: 'build', name: 'build', status: 'completed', conclusion: 'success', started_at: at(0), finished_at: at(40) }, 'job_completed');
    assert.deepEqual(h.changes.at(-1)?.completedSteps, []);
    const m = await h.scrape();
    assert.equal(m.get(series('deployment_step_duration_seconds_count', { project: 'shop', workflow: 'ci', job_name: 'build', step: 'test', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_step_duration_seconds_sum', { project: 'shop', workflow: 'ci', job_name: 'build', step: 'test', conclusion: 'success' })), 30);
  });

  test('restored runs are not announced; journals with the old counting flags load without them; a completion redelivered after is a duplicate', () => {
    const h = setup();
    const legacy = JSON.parse(
      JSON.stringify({
        ...ref, environment: null, status: 'completed', conclusion: 'success', created_at: null, started_at: at(0), finished_at: at(10), duration_seconds: 10,
        branch: null, commit: null, commit_timestamp: null, actor: null, html_url: null, logs: [], updated_at: at(10), counted: true,
        jobs: [{ id: '1', name: 'b', status: 'completed', conclusion: 'success', created_at: null, started_at: null, finished_at: null, duration_seconds: null, queue_seconds: null, runner: null, html_url: null, counted: true, steps: [{ name: 's', number: 1, status: 'completed', conclusion: 'success', started_at: null, finished_at: null, duration_seconds: null, counted: true }] }],
      }),
    ) as RunRecord;
    h.runs.restore([legacy]);
    assert.deepEqual(h.changes, []);
    const run = h.runs.get(ref.id) as RunRecord;
    assert.equal(JSON.stringify(run).includes('counted'), false);
    assert.equal(h.runs.applyRun({ ...ref, status: 'completed', conclusion: 'success' }, 'completed').outcome, 'duplicate');
    assert.equal(h.runs.applyJob(ref, { id: '1', name: 'b', status: 'completed', conclusion: 'success' }, 'completed').outcome, 'duplicate');
  });

  test('bounded by history.max_runs: the least recently changed run leaves, and with it its journal mark', () => {
    const h = setup('max_runs: 2');
    for (const n of [1, 2, 3]) h.runs.applyRun({ ...ref, id: `gh-${n}-1`, run_id: String(n), status: 'queued' }, 'requested');
    assert.deepEqual(
      h.runs.recent(undefined, 10).map((r) => r.id),
      ['gh-3-1', 'gh-2-1'],
    );
    assert.deepEqual(
      h.runs.takeDirty().map((r) => r.id),
      ['gh-2-1', 'gh-3-1'],
    );
    assert.deepEqual(h.runs.takeDirty(), []);
  });

  test('in progress until history.stale_after without a change, on the injected clock', async () => {
    const h = setup('stale_after: 1h');
    h.runs.applyRun({ ...ref, status: 'in_progress', started_at: at(0) }, 'in_progress');
    assert.equal((await h.scrape()).get(series('deployments_in_progress', { project: 'shop', workflow: 'ci' })), 1);
    h.tick(59 * 60_000);
    assert.equal((await h.scrape()).get(series('deployments_in_progress', { project: 'shop', workflow: 'ci' })), 1);
    h.tick(2 * 60_000);
    assert.equal((await h.scrape()).get(series('deployments_in_progress', { project: 'shop', workflow: 'ci' })), 0);
  });
});
