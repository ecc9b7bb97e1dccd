import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../core/app';
import { ConfigError } from '../../../core/config';
import { parseConfig } from '../../../bin/parts';
import { createLogger } from '../../../core/logger';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startVigil } from '../../helpers/vigil';
import { config, postEvents, scrape, series, TOKEN } from './helpers';

function problems(yaml: string): { path: string; message: string }[] {
  try {
    parseConfig(yaml, 'vigil.yml', {});
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('deployments config', () => {
  it('has its defaults in one place', () => {
    const cfg = parseConfig('', 'vigil.yml', {}).deployments;
    assert.equal(cfg.enabled, true);
    assert.equal(cfg.body_limit, 2 * 1024 * 1024);
    assert.equal(cfg.github.allow_unsigned, false);
    assert.equal(cfg.history.flush_interval, 1000);
    assert.ok(cfg.metrics.run_duration_buckets.at(-1) === 3600, 'buckets reach an hour');
  });

  it('parses sizes and durations and names the key path of a bad value', () => {
    const cfg = parseConfig('deployments:\n  body_limit: 512KiB\n  history:\n    flush_interval: 250ms\n', 'vigil.yml', {}).deployments;
    assert.equal(cfg.body_limit, 512 * 1024);
    assert.equal(cfg.history.flush_interval, 250);
    assert.deepEqual(problems('deployments:\n  github:\n    secret: hunter2\n'), [{ path: 'deployments.github', message: 'unknown key "secret"' }]);
    const [bucket] = problems('deployments:\n  metrics:\n    step_duration_buckets: [5, 1]\n');
    assert.equal(bucket?.path, 'deployments.metrics.step_duration_buckets');
    assert.match(bucket?.message ?? '', /increasing/);
    const [limit] = problems('deployments:\n  metrics:\n    max_steps_per_job: 0\n');
    assert.equal(limit?.path, 'deployments.metrics.max_steps_per_job');
  });

  it('a missing secret file fails the start with its name, never a value', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'vigil-deploy-config-'));
    const app = createApp({
      configFile: join(storage, 'vigil.yml'),
      config: parseConfig(config('  github:\n    secret_file: /nonexistent/vigil-secret\n'), 'vigil.yml', {}),
      env: {},
      logger: createLogger({ level: 'error', silent: true }),
      parts: [deploymentsPart],
      routePrefix: '',
      storagePath: storage,
    });
    try {
      await assert.rejects(app.start('127.0.0.1', 0), /cannot read the secret file \/nonexistent\/vigil-secret \(ENOENT\)/);
    } finally {
      await app.stop();
      await rm(storage, { recursive: true, force: true });
    }
  });

  it('guards step cardinality: step names past the per-job limit are counted as step="other"', async () => {
    const vigil = await startVigil(config('  metrics:\n    max_steps_per_job: 2\n'), { env: { VIGIL_API_TOKEN: TOKEN }, parts: [deploymentsPart] });
    try {
      const steps = ['a', 'b', 'c', 'd', 'a'].map((step, i) => ({
        type: 'step_completed',
        project: 'shop',
        deployment_id: String(i),
        job: 'build',
        step,
        status: 'success',
        duration_seconds: 1,
      }));
      assert.equal((await postEvents(vigil.url, steps)).status, 202);
      const m = await scrape(vigil.url);
      const l = { project: 'shop', workflow: 'pipeline', job_name: 'build', conclusion: 'success' };
      assert.equal(m.get(series('deployment_step_duration_seconds_count', { ...l, step: 'a' })), 2);
      assert.equal(m.get(series('deployment_step_duration_seconds_count', { ...l, step: 'b' })), 1);
      assert.equal(m.get(series('deployment_step_duration_seconds_count', { ...l, step: 'other' })), 2);
      assert.equal(m.get(series('deployment_step_duration_seconds_count', { ...l, step: 'c' })), undefined);
      const run = (await (await fetch(`${vigil.url}/api/v1/deployments/shop:2`)).json()) as { jobs: { steps: { name: string }[] }[] };
      assert.equal(run.jobs[0]?.steps[0]?.name, 'c', 'history keeps the real name');
    } finally {
      await vigil.stop();
    }
  });
});
