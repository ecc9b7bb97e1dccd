import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startPrometheus } from '../../helpers/prometheus';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, nonZeroDeploymentSeries, scrape, SECRET, series, type Fixture } from './helpers';

interface Delivery {
  readonly event: string;
  readonly body: string;
}

type Json = Record<string, unknown>;

/**
 * One whole run built from the real payloads: the workflow_run requested/in_progress/completed and
 * two jobs (queued, in_progress, completed with steps; one succeeds, one fails) of the same run,
 * plus a redelivered completion, in the order GitHub sends them.
 */
function wholeRun(fixtures: Fixture[]): Delivery[] {
  const get = (prefix: string): Json => structuredClone((fixtures.find((f) => f.file.startsWith(prefix)) as Fixture).json);
  const requested = get('workflow_run.requested');
  const completed = get('workflow_run.completed');
  const run = completed.workflow_run as Json;
  const inProgress = structuredClone(requested);
  inProgress.action = 'in_progress';
  (inProgress.workflow_run as Json).status = 'in_progress';
  const workflowName = (completed.workflow as Json).name as string;
  const job = (prefix: string, id: number, name: string): Json => {
    const p = get(prefix);
    p.repository = completed.repository;
    const j = p.workflow_job as Json;
    Object.assign(j, { id, name, run_id: run.id, run_attempt: run.run_attempt, workflow_name: workflowName });
    return p;
  };
  const d = (event: string, json: Json): Delivery => ({ event, body: JSON.stringify(json) });
  const jobSeq = (id: number, name: string, done: string): Delivery[] => [
    d('workflow_job', job('workflow_job.queued', id, name)),
    d('workflow_job', job('workflow_job.in_progress', id, name)),
    d('workflow_job', job(done, id, name)),
  ];
  const build = jobSeq(11, 'build', 'workflow_job.completed.success');
  const lint = jobSeq(12, 'lint', 'workflow_job.completed.failure');
  return [
    d('workflow_run', requested),
    d('workflow_run', inProgress),
    build[0] as Delivery,
    lint[0] as Delivery,
    build[1] as Delivery,
    lint[1] as Delivery,
    build[2] as Delivery,
    lint[2] as Delivery,
    lint[2] as Delivery, // GitHub may deliver an event twice
    d('workflow_run', completed),
  ];
}

/** Deterministic shuffle (mulberry32), so a failing order can be reproduced from its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const start = (): Promise<RunningVigil> => startVigil(config(), { env: { GITHUB_WEBHOOK_SECRET: SECRET }, parts: [deploymentsPart] });

async function replay(vigil: RunningVigil, deliveries: readonly Delivery[]): Promise<void> {
  for (const x of deliveries) {
    const res = await deliver(vigil.url, x.event, x.body);
    assert.ok(res.status === 202, `${x.event}: ${res.status} ${await res.text()}`);
  }
}

async function finalState(vigil: RunningVigil): Promise<{ metrics: Map<string, number>; jobs: unknown }> {
  const metrics = nonZeroDeploymentSeries(await scrape(vigil.url));
  const res = (await (await fetch(`${vigil.url}/api/v1/deployments`)).json()) as { runs: { status: string; conclusion: string; jobs: { name: string; status: string; conclusion: string; steps: unknown[] }[] }[] };
  const jobs = res.runs.map((r) => ({
    status: r.status,
    conclusion: r.conclusion,
    jobs: r.jobs.map((j) => [j.name, j.status, j.conclusion, j.steps.length]).sort(),
  }));
  return { metrics, jobs };
}

describe('a whole run replayed', () => {
  let run: Delivery[] = [];
  before(async () => {
    run = wholeRun(await loadFixtures());
  });

  it('in GitHub order and in shuffled orders gives the same final metrics and history', async () => {
    const ordered = await start();
    let expected: Awaited<ReturnType<typeof finalState>>;
    try {
      await replay(ordered, run);
      expected = await finalState(ordered);
    } finally {
      await ordered.stop();
    }
    // The ordered replay's own outcome, checked by label set and count:
    const m = expected.metrics;
    assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'octo-repo', workflow: 'test', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_job_runs_total', { project: 'octo-repo', workflow: 'test', job_name: 'build', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_job_runs_total', { project: 'octo-repo', workflow: 'test', job_name: 'lint', conclusion: 'failure' })), 1);
    assert.equal(m.get(series('deployments_in_progress', { project: 'octo-repo', workflow: 'test' })), undefined, 'nothing left in progress');
    assert.equal(m.get(series('deployment_step_duration_seconds_count', { project: 'octo-repo', workflow: 'test', job_name: 'lint', step: 'Run yarn run format-check', conclusion: 'failure' })), 1);
    assert.deepEqual(expected.jobs, [{ status: 'completed', conclusion: 'success', jobs: [['build', 'completed', 'success', 8], ['lint', 'completed', 'failure', 12]] }]);

    for (const seed of [1, 2, 3, 42]) {
      const vigil = await start();
      try {
        await replay(vigil, shuffled(run, seed));
        const got = await finalState(vigil);
        assert.deepEqual(got.metrics, expected.metrics, `seed ${seed}`);
        assert.deepEqual(got.jobs, expected.jobs, `seed ${seed}`);
      } finally {
        await vigil.stop();
      }
    }
  });

  it('a real Prometheus scrapes Vigil after the replay and its query API returns the expected series', async () => {
    const vigil = await start();
    try {
      await replay(vigil, run);
      const target = new URL(vigil.url).host;
      const prom = await startPrometheus({ targets: [target], scrapeInterval: '1s' });
      try {
        const runs = await prom.waitFor('deployment_workflow_runs_total', (r) => r.length > 0);
        assert.deepEqual(
          runs.map((s) => [s.metric.project, s.metric.workflow, s.metric.conclusion, s.value[1]]),
          [['octo-repo', 'test', 'success', '1']],
        );
        // Prometheus keeps its own `job` (the scrape job); Vigil's `job_name` arrives unchanged, no `exported_job`.
        const jobs = await prom.query('deployment_job_runs_total');
        assert.ok(jobs.every((s) => s.metric.job === 'vigil' && s.metric.exported_job === undefined));
        assert.deepEqual(jobs.map((s) => [s.metric.job_name, s.metric.conclusion, s.value[1]]).sort(), [
          ['build', 'success', '1'],
          ['lint', 'failure', '1'],
        ]);
        const lead = await prom.query('deployment_lead_time_seconds_count');
        assert.deepEqual(lead.map((s) => [s.metric.project, s.metric.workflow, s.value[1]]), [['octo-repo', 'test', '1']]);
        const steps = await prom.query('count(deployment_step_duration_seconds_count{job_name="lint"})');
        assert.equal(steps[0]?.value[1], '12');
        const up = await prom.query('up');
        assert.equal(up[0]?.value[1], '1');
      } finally {
        await prom.stop();
      }
    } finally {
      await vigil.stop();
    }
  });
});
