import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { startVigil } from '../../helpers/vigil';
import { config, deliver, loadFixtures, postEvents, scrape, series, TOKEN } from './helpers';

describe('deployments reload', () => {
  it('reads secrets from files again and keeps history and counts across a reload', async () => {
    const vigil = await startVigil(config(), { env: { VIGIL_API_TOKEN: TOKEN }, parts: [deploymentsPart] });
    try {
      const event = { type: 'deployment_completed', project: 'shop', deployment_id: 1, environment: 'production', status: 'success', duration_seconds: 3 };
      assert.equal((await postEvents(vigil.url, event)).status, 202);
      const f = (await loadFixtures()).find((x) => x.file.startsWith('workflow_run.completed'));
      assert.ok(f);
      assert.equal((await deliver(vigil.url, f.event, f.body, { secret: 'from-a-file' })).status, 503, 'no webhook secret yet');

      const tokenFile = join(vigil.dir, 'token');
      const secretFile = join(vigil.dir, 'secret');
      await writeFile(tokenFile, 'rotated-token\n');
      await writeFile(secretFile, 'from-a-file\n');
      await writeFile(vigil.configFile, config(`  api:\n    token_file: ${tokenFile}\n  github:\n    secret_file: ${secretFile}\n`));
      const reload = await fetch(`${vigil.url}/-/reload`, { method: 'POST' });
      assert.equal(reload.status, 200);

      assert.equal((await postEvents(vigil.url, { ...event, deployment_id: 2 }, TOKEN)).status, 401, 'the old token no longer works');
      assert.equal((await postEvents(vigil.url, { ...event, deployment_id: 2 }, 'rotated-token')).status, 202);
      assert.equal((await deliver(vigil.url, f.event, f.body, { secret: 'from-a-file' })).status, 202);
      const m = await scrape(vigil.url);
      assert.equal(m.get(series('deployments_total', { project: 'shop', environment: 'production', status: 'success' })), 2);
      const runs = (await (await fetch(`${vigil.url}/api/v1/deployments`)).json()) as { runs: { id: string }[] };
      assert.deepEqual(runs.runs.map((r) => r.id).sort(), ['gh-289782451-1', 'shop:1', 'shop:2']);
    } finally {
      await vigil.stop();
    }
  });
});
