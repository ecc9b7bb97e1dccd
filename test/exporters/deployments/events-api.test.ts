import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { config, nonZeroDeploymentSeries, postEvents, scrape, series, TOKEN } from './helpers';

const start = (yaml = config(), env: Record<string, string> = { VIGIL_API_TOKEN: TOKEN }): Promise<RunningVigil> =>
  startVigil(yaml, { env, parts: [deploymentsPart] });

const base = { project: 'shop', deployment_id: 'build-17', environment: 'production' };

/** A deployment as the seeds' notify-dashboard.sh reports it. */
const pipeline = [
  { ...base, type: 'deployment_started', started_at: '2024-05-01T12:00:00Z', branch: 'main', commit: 'abc123', actor: 'ci' },
  { ...base, type: 'job_started', job: 'build', started_at: '2024-05-01T12:00:05Z' },
  { ...base, type: 'step_started', job: 'build', step: 'npm ci', started_at: '2024-05-01T12:00:05Z' },
  { ...base, type: 'log_entry', job: 'build', step: 'npm ci', level: 'info', message: 'added 312 packages', timestamp: '2024-05-01T12:00:30Z' },
  { ...base, type: 'step_completed', job: 'build', step: 'npm ci', status: 'success', finished_at: '2024-05-01T12:00:45Z' },
  { ...base, type: 'job_completed', job: 'build', status: 'success', finished_at: '2024-05-01T12:01:05Z' },
  { ...base, type: 'deployment_completed', status: 'success', finished_at: '2024-05-01T12:02:00Z' },
];

describe('pipeline events API', () => {
  let vigil: RunningVigil;
  before(async () => {
    vigil = await start();
  });
  after(async () => {
    await vigil.stop();
  });

  it('refuses a missing or wrong bearer token with 401 and records nothing', async () => {
    const none = await postEvents(vigil.url, pipeline[0], null);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await postEvents(vigil.url, pipeline[0], 'nope');
    assert.equal(wrong.status, 401);
    assert.deepEqual(((await wrong.json()) as { error: string }).error, 'invalid bearer token');
    assert.deepEqual(nonZeroDeploymentSeries(await scrape(vigil.url)), new Map());
  });

  it('a whole pipeline, one event per request, gives its metrics, history and log line', async () => {
    for (const e of pipeline) {
      const res = await postEvents(vigil.url, e);
      assert.equal(res.status, 202, JSON.stringify(e));
      assert.deepEqual(await res.json(), { accepted: 1, duplicates: 0, ignored: 0 });
    }
    const m = await scrape(vigil.url);
    const l = { project: 'shop', workflow: 'pipeline' };
    assert.equal(m.get(series('deployment_workflow_runs_total', { ...l, conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_workflow_run_duration_seconds_sum', { ...l, conclusion: 'success' })), 120);
    assert.equal(m.get(series('deployment_job_runs_total', { ...l, job_name: 'build', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployment_job_duration_seconds_sum', { ...l, job_name: 'build', conclusion: 'success' })), 60);
    assert.equal(m.get(series('deployment_step_duration_seconds_sum', { ...l, job_name: 'build', step: 'npm ci', conclusion: 'success' })), 40);
    assert.equal(m.get(series('deployments_total', { project: 'shop', environment: 'production', status: 'success' })), 1);
    assert.equal(m.get(series('deployment_lead_time_seconds_sum', l)), 120);
    assert.equal(m.get(series('deployment_last_run_timestamp_seconds', { ...l, conclusion: 'success' })), Date.parse('2024-05-01T12:02:00Z') / 1000);
    assert.equal(m.get(series('deployments_in_progress', l)), 0);

    const res = await fetch(`${vigil.url}/api/v1/deployments/${encodeURIComponent('shop:build-17')}`);
    assert.equal(res.status, 200);
    const run = (await res.json()) as {
      status: string;
      conclusion: string;
      commit: string;
      duration_seconds: number;
      jobs: { name: string; duration_seconds: number; steps: { name: string; status: string; duration_seconds: number }[] }[];
      logs: { message: string; level: string; job: string; step: string }[];
    };
    assert.equal(run.status, 'completed');
    assert.equal(run.conclusion, 'success');
    assert.equal(run.commit, 'abc123');
    assert.equal(run.duration_seconds, 120);
    assert.deepEqual(run.jobs.map((j) => [j.name, j.duration_seconds, j.steps.map((s) => [s.name, s.status, s.duration_seconds])]), [['build', 60, [['npm ci', 'completed', 40]]]]);
    assert.deepEqual(run.logs.map((x) => [x.message, x.level, x.job, x.step]), [['added 312 packages', 'info', 'build', 'npm ci']]);
  });

  it('repeated completions are acknowledged as duplicates and counted once', async () => {
    const res = await postEvents(vigil.url, [pipeline[5], pipeline[6]]);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 0, duplicates: 2, ignored: 0 });
    const m = await scrape(vigil.url);
    assert.equal(m.get(series('deployment_job_runs_total', { project: 'shop', workflow: 'pipeline', job_name: 'build', conclusion: 'success' })), 1);
    assert.equal(m.get(series('deployments_total', { project: 'shop', environment: 'production', status: 'success' })), 1);
  });

  it('a batch is applied whole; unknown types are acknowledged and counted as ignored', async () => {
    const batch = [
      { type: 'deployment_started', project: 'api', deployment_id: 7, environment: 'staging', workflow: 'release' },
      { type: 'artifact_uploaded', project: 'api', deployment_id: 7 },
      { type: 'deployment_completed', project: 'api', deployment_id: 7, environment: 'staging', status: 'failure', duration_seconds: 33 },
    ];
    const res = await postEvents(vigil.url, batch);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 2, duplicates: 0, ignored: 1 });
    const m = await scrape(vigil.url);
    assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'api', workflow: 'release', conclusion: 'failure' })), 1);
    assert.equal(m.get(series('deployment_workflow_run_duration_seconds_sum', { project: 'api', workflow: 'release', conclusion: 'failure' })), 33);
    assert.equal(m.get(series('deployments_total', { project: 'api', environment: 'staging', status: 'failure' })), 1);
    assert.equal(m.get(series('deployment_lead_time_seconds_count', { project: 'api', workflow: 'release' })), undefined, 'no lead time for a failure');
    assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'api', event: 'unknown', result: 'ignored' })), 1);
  });

  it('bad input: 400 malformed, 422 with the field path, 413 over the limit, and nothing partial is recorded', async () => {
    const before = nonZeroDeploymentSeries(await scrape(vigil.url));
    const listBefore = await (await fetch(`${vigil.url}/api/v1/deployments?limit=100`)).text();

    const malformed = await postEvents(vigil.url, '{"type": "deployment_started",');
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: string }).error, /malformed JSON/);

    const cases: [unknown, string, RegExp][] = [
      [{ ...base, type: 'job_completed', job: 'test', status: 'success', finished_at: 'yesterday' }, 'finished_at', /ISO 8601/],
      [{ ...base, type: 'job_completed', status: 'success' }, 'job', /required for job_completed/],
      [{ ...base, type: 'deployment_completed', status: 'running' }, 'status', /success, failure or cancelled/],
      [{ ...base, type: 'deployment_started', project: 'bad project!' }, 'project', /project name/],
      [{ ...base, type: 'deployment_started', colour: 'red' }, '', /colour/],
      [{ type: 'deployment_started' }, 'project', /./],
      [[{ ...base, type: 'deployment_started', deployment_id: 'new-1' }, { ...base, type: 'log_entry', deployment_id: 'new-1' }], '[1].message', /required for log_entry/],
      [[pipeline[0], 'not an event'], '[1]', /expected an event object/],
    ];
    for (const [body, path, message] of cases) {
      const res = await postEvents(vigil.url, body);
      assert.equal(res.status, 422, JSON.stringify(body));
      const err = (await res.json()) as { error: string; path: string };
      assert.equal(err.path, path, JSON.stringify(body));
      assert.match(err.error, message);
    }

    const small = await start(config('  body_limit: 256\n  api:\n    max_batch: 2\n'));
    try {
      const big = await postEvents(small.url, { ...base, type: 'log_entry', message: 'x'.repeat(1000) });
      assert.equal(big.status, 413);
      const many = await postEvents(small.url, [pipeline[0], pipeline[1], pipeline[2]].map((e) => ({ type: e?.type, project: 'p', deployment_id: 1, job: 'j', step: 's' })));
      assert.equal(many.status, 422);
      assert.match(((await many.json()) as { error: string }).error, /at most 2 events/);
      assert.deepEqual(nonZeroDeploymentSeries(await scrape(small.url)), new Map());
    } finally {
      await small.stop();
    }

    assert.deepEqual(nonZeroDeploymentSeries(await scrape(vigil.url)), before);
    const listAfter = await (await fetch(`${vigil.url}/api/v1/deployments?limit=100`)).text();
    assert.equal(listAfter, listBefore, 'no history entry from a rejected request');
  });

  it('without a token the API refuses everything with 503', async () => {
    const closed = await start(config(), {});
    try {
      const res = await postEvents(closed.url, pipeline[0], 'anything');
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /VIGIL_API_TOKEN/);
    } finally {
      await closed.stop();
    }
  });
});
