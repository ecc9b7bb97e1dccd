import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createDeliveryCache } from '../../../exporters/deployments/delivery-cache';
import { createLabelGuard } from '../../../exporters/deployments/label-guard';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { tokenChecker } from '../../../core/bearer';
import { Secret } from '../../../core/secrets';
import { verifyGithubSignature } from '../../../exporters/deployments/webhook-signature';
import { startVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, postEvents, scrape, SECRET, signBody, TOKEN } from './helpers';

describe('deployments building blocks', () => {
  it('the delivery cache remembers only the latest ids', () => {
    const cache = createDeliveryCache(3);
    for (const id of ['a', 'b', 'c', 'd']) cache.add(id);
    assert.equal(cache.size, 3);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => cache.has(id)), [false, true, true, true]);
    cache.resize(1);
    assert.deepEqual(['c', 'd'].map((id) => cache.has(id)), [false, true]);
    assert.throws(() => createDeliveryCache(0), /positive integer/);
  });

  it('the label guard passes the first values of a scope and folds the rest into "other"', () => {
    const guard = createLabelGuard(2);
    assert.deepEqual(['x', 'y', 'z', 'x'].map((v) => guard.value('job-a', v)), ['x', 'y', 'other', 'x']);
    assert.equal(guard.value('job-b', 'z'), 'z', 'scopes are counted separately');
  });

  it('signatures: HMAC-SHA256 of the exact bytes; tokens compared whole', async () => {
    const body = Buffer.from('{"a":"é"}');
    const s = new Secret('s', 'test');
    assert.equal(await verifyGithubSignature(s, body, signBody('s', body)), true);
    assert.equal(await verifyGithubSignature(s, body, ` ${signBody('s', body).toUpperCase()} `), true, 'hex case and spaces do not matter');
    assert.equal(await verifyGithubSignature(s, Buffer.from('{"a":2}'), signBody('s', body)), false);
    assert.equal(await verifyGithubSignature(new Secret('t', 'test'), body, signBody('s', body)), false);
    assert.equal(await verifyGithubSignature(s, body, undefined), false);
    assert.equal(await verifyGithubSignature(s, body, 'sha1=0000'), false);
    assert.equal(await verifyGithubSignature(s, Buffer.alloc(0), signBody('s', '')), false, 'an empty body is never a delivery');
    const notUtf8 = Buffer.from([0x7b, 0xff, 0x7d]);
    assert.equal(await verifyGithubSignature(s, notUtf8, signBody('s', notUtf8)), false, 'bytes that are not UTF-8 are refused');
    const matches = tokenChecker(new Secret('secret-token', 'test'));
    assert.equal(matches('secret-token'), true);
    assert.equal(matches('secret-toke'), false);
    assert.equal(matches('secret-token2'), false);
  });

  it('promtool check metrics reports nothing on the deployment families', async () => {
    const vigil = await startVigil(config('  metrics:\n    max_steps_per_job: 3\n'), {
      env: { GITHUB_WEBHOOK_SECRET: SECRET, VIGIL_API_TOKEN: TOKEN },
      parts: [deploymentsPart],
    });
    try {
      for (const f of await loadFixtures()) assert.equal((await deliver(vigil.url, f.event, f.body)).status, 202);
      await postEvents(vigil.url, [
        { type: 'deployment_started', project: 'shop', deployment_id: 1, environment: 'production' },
        { type: 'step_completed', project: 'shop', deployment_id: 1, job: 'build "quoted" \\ job', step: 'line\nbreak', status: 'failure', duration_seconds: 2 },
      ]);
      await deliver(vigil.url, 'workflow_run', 'not json');
      const text = await (await fetch(`${vigil.url}/metrics`)).text();
      // Only this part's families: the process metrics belong to core.
      const ours = text
        .split(/\n(?=# HELP )/)
        .filter((block) => /^# HELP (deployment|vigil_webhook|vigil_deployments)/.test(block))
        .join('\n');
      assert.match(ours, /deployment_step_duration_seconds_bucket/);
      const r = spawnSync('promtool', ['check', 'metrics'], { input: ours.endsWith('\n') ? ours : `${ours}\n`, encoding: 'utf8' });
      assert.equal(r.error, undefined, 'promtool is installed');
      assert.equal(`${r.stdout}${r.stderr}`, '');
      assert.equal(r.status, 0);
    } finally {
      await vigil.stop();
    }
  });

  it('every completed step of a job is counted, also past history.max_steps_per_job', async () => {
    const vigil = await startVigil(config('  metrics:\n    max_steps_per_job: 3\n  history:\n    max_steps_per_job: 2\n'), {
      env: { GITHUB_WEBHOOK_SECRET: SECRET, VIGIL_API_TOKEN: TOKEN },
      parts: [deploymentsPart],
    });
    try {
      const fixture = (await loadFixtures()).find((f) => f.file.startsWith('workflow_job.completed.success')) as { json: Record<string, unknown> };
      const job = fixture.json.workflow_job as Record<string, unknown> & { run_id: number; run_attempt: number };
      const steps = Array.from({ length: 120 }, (_, i) => ({
        name: `step ${i}`,
        status: 'completed',
        conclusion: i === 110 ? 'failure' : 'success',
        number: i + 1,
        started_at: '2021-08-05T10:26:00.000Z',
        completed_at: '2021-08-05T10:26:01.000Z',
      }));
      const body = JSON.stringify({ ...fixture.json, workflow_job: { ...job, steps } });
      assert.equal((await deliver(vigil.url, 'workflow_job', body)).status, 202);
      const counts = [...(await scrape(vigil.url))].filter(([k]) => k.startsWith('deployment_step_duration_seconds_count{'));
      const total = (conclusion: string): number => counts.filter(([k]) => k.includes(`conclusion="${conclusion}"`)).reduce((n, [, v]) => n + v, 0);
      assert.equal(total('success'), 119, 'all 119 successful steps are counted');
      assert.equal(total('failure'), 1, 'the failed step 110 is counted');
      assert.equal(counts.filter(([k]) => k.includes('step="other"')).reduce((n, [, v]) => n + v, 0), 117, 'past the label limit: step="other"');
      const run = (await (await fetch(`${vigil.url}/api/v1/deployments/gh-${job.run_id}-${job.run_attempt}`)).json()) as { jobs: { steps: unknown[] }[] };
      assert.equal(run.jobs[0]?.steps.length, 2, 'the history keeps only max_steps_per_job steps');
    } finally {
      await vigil.stop();
    }
  });
});
