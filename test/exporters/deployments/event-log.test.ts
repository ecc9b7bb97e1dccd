import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import winston from 'winston';
import { createLogger } from '../../../core/logger';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, postEvents, SECRET, TOKEN } from './helpers';

interface Record_ {
  message: string;
  'log.level': string;
  event: { dataset: string; action: string; duration?: number; outcome?: string };
  deployment?: Record<string, unknown>;
  user?: { name: string };
  url?: { full: string };
}

describe('deployment events in the shared log', () => {
  it('every accepted event is one ECS record of dataset vigil.deployments; refused and repeated ones are not', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', silent: true, transports: [new winston.transports.Stream({ stream: sink })] });
    const vigil = await startVigil(config(), { env: { GITHUB_WEBHOOK_SECRET: SECRET, VIGIL_API_TOKEN: TOKEN }, parts: [deploymentsPart], logger });
    try {
      const fixtures = await loadFixtures();
      const job = fixtures.find((f) => f.file.startsWith('workflow_job.completed.failure')) as (typeof fixtures)[number];
      const run = fixtures.find((f) => f.file.startsWith('workflow_run.completed')) as (typeof fixtures)[number];
      assert.equal((await deliver(vigil.url, job.event, job.body)).status, 202);
      assert.equal((await deliver(vigil.url, job.event, job.body)).status, 202, 'a repeat: acknowledged, not logged');
      assert.equal((await deliver(vigil.url, run.event, run.body, { secret: 'wrong' })).status, 401);
      assert.equal((await deliver(vigil.url, run.event, run.body)).status, 202);
      assert.equal(
        (await postEvents(vigil.url, { type: 'log_entry', project: 'shop', deployment_id: 3, job: 'deploy', level: 'error', message: 'rsync: connection refused' })).status,
        202,
      );
      await new Promise((r) => setImmediate(r));
      const records = lines.map((l) => JSON.parse(l) as Record_).filter((r) => r.event.dataset === 'vigil.deployments');
      assert.deepEqual(
        records.map((r) => r.event.action),
        ['workflow_job.completed', 'step_completed', 'workflow_run.completed', 'log_entry'],
        'the failed job also logs its one failed step (skipped and successful ones are not logged)',
      );
      const [j, st, r, l] = records as [Record_, Record_, Record_, Record_];
      const payload = job.json.workflow_job as { run_id: number; head_sha: string; html_url: string; completed_at: string; started_at: string };
      assert.deepEqual(
        { ...j.deployment, steps_total: undefined },
        {
          source: 'github',
          id: `gh-${payload.run_id}-1`,
          kind: 'workflow_run',
          project: 'Hello-World',
          workflow: 'CodeQL',
          run_id: String(payload.run_id),
          run_attempt: 1,
          job: 'linters',
          job_id: String((job.json.workflow_job as { id: number }).id),
          status: 'completed',
          conclusion: 'failure',
          duration_seconds: (Date.parse(payload.completed_at) - Date.parse(payload.started_at)) / 1000,
          queue_seconds: 60,
          steps_total: undefined,
        },
      );
      assert.equal(j.event.outcome, 'failure');
      // What the saved search "Failed deployment steps" matches: event.outcome failure and deployment.step.
      const failedStep = (job.json.workflow_job as { steps: { name: string; conclusion: string; started_at: string; completed_at: string }[] }).steps.find((s) => s.conclusion === 'failure');
      assert.ok(failedStep, 'the fixture has a failed step');
      assert.deepEqual(st.deployment, {
        source: 'github',
        id: `gh-${payload.run_id}-1`,
        kind: 'workflow_run',
        project: 'Hello-World',
        workflow: 'CodeQL',
        run_id: String(payload.run_id),
        run_attempt: 1,
        job: 'linters',
        job_id: String((job.json.workflow_job as { id: number }).id),
        step: failedStep.name,
        status: 'completed',
        conclusion: 'failure',
        duration_seconds: (Date.parse(failedStep.completed_at) - Date.parse(failedStep.started_at)) / 1000,
      });
      assert.equal(st.event.outcome, 'failure');
      assert.equal(st.event.duration, ((Date.parse(failedStep.completed_at) - Date.parse(failedStep.started_at)) / 1000) * 1e9);
      assert.equal(st.url?.full, payload.html_url);
      assert.equal(j.url?.full, payload.html_url);
      const wr = run.json.workflow_run as { head_sha: string; head_branch: string; html_url: string; triggering_actor: { login: string } };
      assert.equal(r.deployment?.commit, wr.head_sha);
      assert.equal(r.deployment?.branch, wr.head_branch);
      assert.equal(r.user?.name, wr.triggering_actor.login);
      assert.equal(r.url?.full, wr.html_url);
      assert.equal(l.message, 'rsync: connection refused');
      assert.equal(l['log.level'], 'error');
      assert.equal(l.deployment?.job, 'deploy');
      assert.ok(!lines.join('\n').includes(SECRET) && !lines.join('\n').includes(TOKEN), 'no secret in any log line');
    } finally {
      await vigil.stop();
    }
  });
});

it('ECS outcome: timed-out and startup failures are failures, cancelled is unknown', async () => {
  const { ecsOutcome } = await import('../../../exporters/deployments/event-log');
  assert.deepEqual(
    ['success', 'failure', 'timed_out', 'startup_failure', 'cancelled', 'skipped'].map(ecsOutcome),
    ['success', 'failure', 'failure', 'failure', 'unknown', 'unknown'],
  );
});
