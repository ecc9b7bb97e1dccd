import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import winston from 'winston';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startVigil, type RunningVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, nonZeroDeploymentSeries, scrape, SECRET, seconds, series, type Fixture } from './helpers';

const env = { GITHUB_WEBHOOK_SECRET: SECRET };
const start = (yaml = config(), opts: { env?: Record<string, string>; logger?: winston.Logger } = {}): Promise<RunningVigil> =>
  startVigil(yaml, { env: opts.env ?? env, parts: [deploymentsPart], ...(opts.logger ? { logger: opts.logger } : {}) });

interface Step {
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
}

/** What one fixture must produce, worked out from the payload's own fields (histogram buckets left out). */
function expectedSeries(f: Fixture): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string, v: number): void => {
    out.set(key, (out.get(key) ?? 0) + v);
  };
  const repo = f.json.repository as { name: string };
  if (f.event === 'workflow_run') {
    const run = f.json.workflow_run as { status: string; conclusion: string; run_started_at: string; updated_at: string; head_commit: { timestamp: string } };
    const l = { project: repo.name, workflow: (f.json.workflow as { name: string }).name };
    if (run.status !== 'completed') {
      add(series('deployments_in_progress', l), 1);
      return out;
    }
    const lc = { ...l, conclusion: run.conclusion };
    add(series('deployment_workflow_runs_total', lc), 1);
    add(series('deployment_workflow_run_duration_seconds_count', lc), 1);
    const duration = seconds(run.run_started_at, run.updated_at);
    if (duration !== 0) add(series('deployment_workflow_run_duration_seconds_sum', lc), duration);
    add(series('deployment_last_run_timestamp_seconds', lc), Date.parse(run.updated_at) / 1000);
    if (run.conclusion === 'success') {
      add(series('deployment_lead_time_seconds_count', l), 1);
      add(series('deployment_lead_time_seconds_sum', l), seconds(run.head_commit.timestamp, run.updated_at));
    }
  }
  if (f.event === 'workflow_job') {
    const job = f.json.workflow_job as { status: string; conclusion: string; name: string; workflow_name: string; created_at: string; started_at: string; completed_at: string; steps: Step[] };
    if (job.status !== 'completed') return out;
    const l = { project: repo.name, workflow: job.workflow_name, job_name: job.name };
    const lc = { ...l, conclusion: job.conclusion };
    add(series('deployment_job_runs_total', lc), 1);
    add(series('deployment_job_duration_seconds_count', lc), 1);
    add(series('deployment_job_duration_seconds_sum', lc), seconds(job.started_at, job.completed_at));
    add(series('deployment_job_queue_seconds_count', l), 1);
    add(series('deployment_job_queue_seconds_sum', l), seconds(job.created_at, job.started_at));
    for (const s of job.steps) {
      const sl = { ...l, step: s.name, conclusion: s.conclusion as string };
      add(series('deployment_step_duration_seconds_count', sl), 1);
      add(series('deployment_step_duration_seconds_sum', sl), seconds(s.started_at, s.completed_at as string));
    }
  }
  if (f.event === 'deployment_status') {
    const st = f.json.deployment_status as { state: string; environment: string };
    add(series('deployments_total', { project: repo.name, environment: st.environment, status: st.state }), 1);
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

const withoutBuckets = (m: Map<string, number>): Map<string, number> => new Map([...nonZeroDeploymentSeries(m)].filter(([k]) => !k.includes('_bucket{')));

interface HistoryRun {
  id: string;
  project: string;
  status: string;
  conclusion: string | null;
  environment: string | null;
  jobs: { id: string; name: string; status: string; conclusion: string | null; steps: { name: string; status: string }[] }[];
}

async function history(url: string): Promise<HistoryRun[]> {
  const res = await fetch(`${url}/api/v1/deployments?limit=100`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { runs: HistoryRun[] }).runs;
}

describe('GitHub webhooks: the real payloads', () => {
  let fixtures: Fixture[] = [];
  before(async () => {
    fixtures = await loadFixtures();
    assert.ok(fixtures.length >= 8, `expected the shared fixtures, found ${fixtures.length}`);
  });

  it('each signed payload gives exactly its expected series and history entry', async () => {
    for (const f of fixtures) {
      const vigil = await start();
      try {
        const res = await deliver(vigil.url, f.event, f.body);
        assert.equal(res.status, 202, `${f.file}: ${await res.text()}`);
        const m = await scrape(vigil.url);
        assert.deepEqual(withoutBuckets(m), expectedSeries(f), f.file);
        assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: f.event, result: 'accepted' })), 1, f.file);
        const runs = await history(vigil.url);
        assert.equal(runs.length, 1, f.file);
        const run = runs[0] as HistoryRun;
        if (f.event === 'workflow_run') {
          const r = f.json.workflow_run as { id: number; run_attempt: number; status: string; conclusion: string | null };
          assert.equal(run.id, `gh-${r.id}-${r.run_attempt}`);
          assert.equal(run.status, r.status === 'completed' ? 'completed' : 'queued');
          assert.equal(run.conclusion, r.conclusion);
        } else if (f.event === 'workflow_job') {
          const j = f.json.workflow_job as { id: number; run_id: number; run_attempt: number; name: string; status: string; conclusion: string | null; steps: unknown[] };
          assert.equal(run.id, `gh-${j.run_id}-${j.run_attempt}`);
          assert.equal(run.status, 'unknown', 'a job alone says nothing about its run');
          assert.deepEqual(
            run.jobs.map((x) => [x.id, x.name, x.status, x.conclusion, x.steps.length]),
            [[String(j.id), j.name, j.status, j.conclusion, j.steps.length]],
          );
        } else {
          const d = f.json.deployment as { id: number; environment: string };
          assert.equal(run.id, `ghd-${d.id}`);
          assert.equal(run.environment, d.environment);
          assert.equal(run.status, f.event === 'deployment_status' ? 'completed' : 'queued');
        }
        const one = await fetch(`${vigil.url}/api/v1/deployments/${run.id}`);
        assert.equal(one.status, 200);
        assert.equal(((await one.json()) as HistoryRun).id, run.id);
      } finally {
        await vigil.stop();
      }
    }
  });

  it('unsigned, wrongly signed, SHA-1 signed or mangled payloads are refused with 401 and change nothing', async () => {
    const vigil = await start();
    try {
      const { createHmac } = await import('node:crypto');
      let refused = 0;
      for (const f of fixtures) {
        const mangled = Buffer.from(f.body);
        const at = Math.floor(mangled.length / 2);
        mangled[at] = (mangled[at] as number) ^ 0x01;
        const { signBody } = await import('./helpers');
        const attempts: [string, Promise<Response>][] = [
          ['unsigned', deliver(vigil.url, f.event, f.body, { secret: null })],
          ['wrong secret', deliver(vigil.url, f.event, f.body, { secret: 'not-the-secret' })],
          ['mangled body', deliver(vigil.url, f.event, mangled, { secret: null, headers: { 'x-hub-signature-256': signBody(SECRET, f.body) } })],
          ['sha1 only', deliver(vigil.url, f.event, f.body, { secret: null, headers: { 'x-hub-signature': `sha1=${createHmac('sha1', SECRET).update(f.body).digest('hex')}` } })],
          ['garbage signature', deliver(vigil.url, f.event, f.body, { secret: null, headers: { 'x-hub-signature-256': 'sha256=zz' } })],
        ];
        for (const [what, p] of attempts) {
          const res = await p;
          assert.equal(res.status, 401, `${f.file} ${what}`);
          assert.match(((await res.json()) as { error: string }).error, /signature|SHA-1|X-Hub/i);
          refused++;
        }
      }
      const m = await scrape(vigil.url);
      assert.deepEqual(nonZeroDeploymentSeries(m), new Map());
      const counted = [...m].filter(([k]) => k.startsWith('vigil_webhook_requests_total') && k.includes('result="unauthorized"')).reduce((a, [, v]) => a + v, 0);
      assert.equal(counted, refused);
      assert.deepEqual(await history(vigil.url), []);
    } finally {
      await vigil.stop();
    }
  });

  it('a redelivered X-GitHub-Delivery is acknowledged and counted once; a repeated completion under a new id too', async () => {
    const vigil = await start();
    try {
      const f = fixtures.find((x) => x.file.startsWith('workflow_run.completed')) as Fixture;
      assert.equal((await deliver(vigil.url, f.event, f.body, { delivery: 'abc-1' })).status, 202);
      const again = await deliver(vigil.url, f.event, f.body, { delivery: 'abc-1' });
      assert.equal(again.status, 200);
      assert.deepEqual(await again.json(), { status: 'duplicate', delivery: 'abc-1' });
      const other = await deliver(vigil.url, f.event, f.body, { delivery: 'abc-2' });
      assert.equal(other.status, 202);
      assert.deepEqual(await other.json(), { status: 'duplicate' });
      const m = await scrape(vigil.url);
      assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'octo-repo', workflow: 'test', conclusion: 'success' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'workflow_run', result: 'duplicate' })), 2);
    } finally {
      await vigil.stop();
    }
  });

  it('maps repositories to projects by config, acknowledges ping, ignores unknown events', async () => {
    const vigil = await start(config('  github:\n    projects:\n      octo-org/octo-repo: shop\n'));
    try {
      const f = fixtures.find((x) => x.file.startsWith('workflow_run.completed')) as Fixture;
      assert.equal((await deliver(vigil.url, f.event, f.body)).status, 202);
      const ping = await deliver(vigil.url, 'ping', JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }));
      assert.equal(ping.status, 200);
      const push = await deliver(vigil.url, 'push', JSON.stringify({ ref: 'refs/heads/main' }));
      assert.equal(push.status, 202);
      assert.deepEqual(await push.json(), { status: 'ignored', event: 'push' });
      const m = await scrape(vigil.url);
      assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'shop', workflow: 'test', conclusion: 'success' })), 1);
      assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'octo-repo', workflow: 'test', conclusion: 'success' })), undefined);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'other', result: 'ignored' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'ping', result: 'accepted' })), 1);
    } finally {
      await vigil.stop();
    }
  });

  it('accepts the form-encoded content type GitHub can send, signed over the form body', async () => {
    const vigil = await start();
    try {
      const f = fixtures.find((x) => x.file.startsWith('workflow_run.completed')) as Fixture;
      const form = new URLSearchParams({ payload: f.body.toString('utf8') }).toString();
      const res = await deliver(vigil.url, f.event, form, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(res.status, 202);
      assert.equal((await scrape(vigil.url)).get(series('deployment_workflow_runs_total', { project: 'octo-repo', workflow: 'test', conclusion: 'success' })), 1);
      const empty = await deliver(vigil.url, f.event, 'zen=1', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(empty.status, 400);
    } finally {
      await vigil.stop();
    }
  });

  it('malformed JSON is 400, a schema violation 422 with the field path, an oversized body 413; none recorded', async () => {
    const vigil = await start(config('  body_limit: 4KiB\n'));
    try {
      const bad = await deliver(vigil.url, 'workflow_run', '{"action": "completed",');
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /malformed JSON/);
      const invalid = await deliver(vigil.url, 'workflow_job', JSON.stringify({ action: 'completed', repository: { name: 'x' }, workflow_job: { id: 1, run_id: 2, name: 5 } }));
      assert.equal(invalid.status, 422);
      const body = (await invalid.json()) as { error: string; path: string };
      assert.equal(body.path, 'workflow_job.name');
      assert.match(body.error, /workflow_job\.name/);
      const big = fixtures.find((x) => x.body.length > 4096) as Fixture;
      const tooLarge = await deliver(vigil.url, big.event, big.body);
      assert.equal(tooLarge.status, 413);
      const m = await scrape(vigil.url);
      assert.deepEqual(nonZeroDeploymentSeries(m), new Map());
      assert.deepEqual(await history(vigil.url), []);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'workflow_run', result: 'malformed' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'workflow_job', result: 'invalid' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: big.event, result: 'too_large' })), 1);
    } finally {
      await vigil.stop();
    }
  });

  it('without a secret refuses every delivery and says so at start-up, unless unsigned delivery is allowed', async () => {
    const lines: string[] = [];
    const logger = winston.createLogger({
      level: 'info',
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream: new (await import('node:stream')).Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }) })],
    });
    const f = fixtures.find((x) => x.file.startsWith('workflow_run.completed')) as Fixture;
    const strict = await start(config(), { env: {}, logger });
    try {
      assert.ok(lines.some((l) => l.includes('deployments-webhook-disabled')), 'a start-up warning names the missing secret');
      const res = await deliver(strict.url, f.event, f.body, { secret: 'anything' });
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: string }).error, /GITHUB_WEBHOOK_SECRET/);
      assert.deepEqual(nonZeroDeploymentSeries(await scrape(strict.url)), new Map());
    } finally {
      await strict.stop();
    }
    const open = await start(config('  github:\n    allow_unsigned: true\n'), { env: {} });
    try {
      assert.equal((await deliver(open.url, f.event, f.body, { secret: null })).status, 202);
      assert.equal((await scrape(open.url)).get(series('deployment_workflow_runs_total', { project: 'octo-repo', workflow: 'test', conclusion: 'success' })), 1);
    } finally {
      await open.stop();
    }
    assert.ok(!lines.join('').includes(SECRET));
  });
});
