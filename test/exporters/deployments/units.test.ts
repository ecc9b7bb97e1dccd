import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createDeliveryCache } from '../../../exporters/deployments/delivery-cache';
import { createLabelGuard } from '../../../exporters/deployments/label-guard';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { signBody, tokenChecker, verifySignature } from '../../../exporters/deployments/signature';
import { startVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, postEvents, SECRET, TOKEN } from './helpers';

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

  it('signatures: HMAC-SHA256 of the exact bytes; tokens compared whole', () => {
    const body = Buffer.from('{"a":1}');
    assert.equal(verifySignature('s', body, signBody('s', body)), true);
    assert.equal(verifySignature('s', body, signBody('s', body).toUpperCase()), true, 'hex case does not matter');
    assert.equal(verifySignature('s', Buffer.from('{"a":2}'), signBody('s', body)), false);
    assert.equal(verifySignature('t', body, signBody('s', body)), false);
    assert.equal(verifySignature('s', body, undefined), false);
    assert.equal(verifySignature('s', body, 'sha1=0000'), false);
    const matches = tokenChecker('secret-token');
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
});
