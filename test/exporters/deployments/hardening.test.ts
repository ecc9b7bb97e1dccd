import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { capturingLogger } from '../projects/capture';
import { startVigil } from '../../helpers/vigil';
import { configErrorOf } from '../../helpers/config';
import { config, deliver, loadFixtures, postEvents, scrape, SECRET, series, TOKEN } from './helpers';

const env = { GITHUB_WEBHOOK_SECRET: SECRET, VIGIL_API_TOKEN: TOKEN };

describe('deployments: hostile input (issue #12)', () => {
  it('a GitHub repository name that breaks the project rule is counted as project="other" and logged', async () => {
    const { logger, records } = capturingLogger();
    const vigil = await startVigil(config(), { env, parts: [deploymentsPart], logger });
    try {
      const f = (await loadFixtures()).find((x) => x.file.startsWith('workflow_run.completed'));
      assert.ok(f);
      const hostile = `"quoted"\nname${'x'.repeat(10_000)}`;
      for (const name of [hostile, '-leading-dash', 'a'.repeat(101)]) {
        const payload = { ...f.json, repository: { ...(f.json.repository as object), name, full_name: `octo-org/${name}` } };
        const res = await deliver(vigil.url, f.event, JSON.stringify(payload));
        assert.equal(res.status, 202, name.slice(0, 20));
      }
      const text = await (await fetch(`${vigil.url}/metrics`)).text();
      assert.ok(!text.includes('xxxxxxxxxx'), 'the name never reaches a label');
      assert.ok(!text.includes('-leading-dash'));
      const m = await scrape(vigil.url);
      assert.equal(m.get(series('deployment_workflow_runs_total', { project: 'other', workflow: 'test', conclusion: 'success' })), 1, 'one run (same id), counted once');
      const warnings = records.filter((r) => (r.event as { action?: string } | undefined)?.action === 'deployments-project-name-invalid');
      assert.equal(warnings.length, 3);
      const repo = (warnings[0]?.vigil as { repository: { name: string; length: number } }).repository;
      assert.equal(repo.length, hostile.length);
      assert.ok(repo.name.length <= 200, 'the logged name is cut');
      // a valid name still becomes the label
      const ok = { ...f.json, workflow_run: { ...(f.json.workflow_run as object), id: 999 }, repository: { ...(f.json.repository as object), name: 'fine.name_1' } };
      assert.equal((await deliver(vigil.url, f.event, JSON.stringify(ok))).status, 202);
      assert.equal((await scrape(vigil.url)).get(series('deployment_workflow_runs_total', { project: 'fine.name_1', workflow: 'test', conclusion: 'success' })), 1);
    } finally {
      await vigil.stop();
    }
  });

  it('deployments.github.projects values follow the same rule', () => {
    const message = configErrorOf(config('  github:\n    projects:\n      octo-org/web: "my shop"\n'));
    assert.equal(message, 'vigil.yml: deployments.github.projects.octo-org/web: expected a project name of letters, digits, ".", "_" and "-" (at most 100)');
  });

  it('a known path with the wrong method is 405 with Allow, not "no deployment run"', async () => {
    const vigil = await startVigil(config(), { env, parts: [deploymentsPart] });
    try {
      for (const path of ['/api/v1/deployments/events', '/webhooks/github']) {
        const res = await fetch(`${vigil.url}${path}`);
        assert.equal(res.status, 405, path);
        assert.equal(res.headers.get('allow'), 'POST');
      }
      const stream = await fetch(`${vigil.url}/api/v1/deployments/stream`, { method: 'POST' });
      assert.equal(stream.status, 405);
      assert.equal(stream.headers.get('allow'), 'GET');
      assert.equal((await fetch(`${vigil.url}/api/v1/deployments/gh-1-1`)).status, 404);
    } finally {
      await vigil.stop();
    }
  });

  it('bodies that do not say JSON get 415 on both inputs and are counted as malformed; nothing recorded', async () => {
    const vigil = await startVigil(config(), { env, parts: [deploymentsPart] });
    try {
      const event = { type: 'deployment_started', project: 'shop', deployment_id: 1 };
      const plain = await fetch(`${vigil.url}/api/v1/deployments/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(event),
      });
      assert.equal(plain.status, 415);
      assert.deepEqual(await plain.json(), { error: 'expected Content-Type: application/json, got "text/plain"' });
      assert.equal((await postEvents(vigil.url, event)).status, 202, 'application/json is accepted');
      const github = await deliver(vigil.url, 'ping', JSON.stringify({ zen: 'z', hook_id: 1 }), { headers: { 'content-type': 'text/plain' } });
      assert.equal(github.status, 415);
      const m = await scrape(vigil.url);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'api', event: 'unknown', result: 'malformed' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'ping', result: 'malformed' })), 1);
      assert.equal(m.get(series('vigil_webhook_requests_total', { source: 'github', event: 'ping', result: 'accepted' })), undefined);
    } finally {
      await vigil.stop();
    }
  });
});
