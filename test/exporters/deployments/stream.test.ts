import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { deploymentsPart } from '../../../exporters/deployments/part';
import { readSse, type SseEvent } from '../../helpers/sse';
import { startVigil } from '../../helpers/vigil';
import { config, parseMetrics, postEvents, TOKEN } from './helpers';

type Change = { action: string; run: { id: string; status: string } };

/** Reads Server-Sent Events until `want` events named "change" have arrived. */
function readEvents(url: string, want: number, query = ''): { ready: Promise<void>; events: Promise<Change[]> } {
  const changes = (events: readonly SseEvent[]): Change[] => events.filter((e) => e.event === 'change').map((e) => e.data as Change);
  const { ready, done } = readSse(`${url}/api/v1/deployments/stream${query}`, (events) => changes(events).length >= want);
  return { ready, events: done.then(changes) };
}

describe('live stream', () => {
  it('pushes every change to a connected client as it happens', async () => {
    const vigil = await startVigil(config(), { env: { VIGIL_API_TOKEN: TOKEN }, parts: [deploymentsPart] });
    try {
      const client = readEvents(vigil.url, 4);
      const onlyApi = readEvents(vigil.url, 1, '?project=api');
      const onlyRun = readEvents(vigil.url, 1, '?deployment=api:9');
      await client.ready;
      await onlyApi.ready;
      await onlyRun.ready;
      const base = { project: 'shop', deployment_id: 9, environment: 'prod' };
      await postEvents(vigil.url, { ...base, type: 'deployment_started' });
      await postEvents(vigil.url, { ...base, type: 'job_started', job: 'build' });
      await postEvents(vigil.url, { ...base, type: 'deployment_completed', status: 'success' });
      await postEvents(vigil.url, { ...base, project: 'api', type: 'deployment_started' });
      const events = await client.events;
      assert.deepEqual(
        (await onlyApi.events).map((e) => e.run.id),
        ['api:9'],
        'a client filtered by project sees only that project',
      );
      assert.deepEqual(
        (await onlyRun.events).map((e) => [e.action, e.run.id]),
        [['deployment_started', 'api:9']],
        'a client filtered by deployment sees only that run',
      );
      assert.deepEqual(
        events.map((e) => [e.action, e.run.id, e.run.status]),
        [
          ['deployment_started', 'shop:9', 'in_progress'],
          ['job_started', 'shop:9', 'in_progress'],
          ['deployment_completed', 'shop:9', 'completed'],
          ['deployment_started', 'api:9', 'in_progress'],
        ],
      );
    } finally {
      await vigil.stop();
    }
  });

  it('drops a client that does not read instead of buffering without bound', { timeout: 20_000 }, async () => {
    const vigil = await startVigil(config('  body_limit: 8MiB\n  stream:\n    max_buffer: 64KiB\n'), { env: { VIGIL_API_TOKEN: TOKEN }, parts: [deploymentsPart] });
    try {
      const { hostname, port } = new URL(vigil.url);
      const socket = connect(Number(port), hostname);
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(`GET /api/v1/deployments/stream HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
      socket.pause(); // a reader that never reads
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
      await new Promise((r) => setTimeout(r, 50));
      const dropped = async (): Promise<number | undefined> =>
        parseMetrics(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_deployments_stream/).get('vigil_deployments_stream_dropped_clients_total{}');
      assert.equal(parseMetrics(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_deployments_stream/).get('vigil_deployments_stream_clients{}'), 1);
      const line = 'x'.repeat(60_000);
      let batches = 0;
      while ((await dropped()) === 0 && batches < 60) {
        const batch = Array.from({ length: 20 }, () => ({ type: 'log_entry', project: 'shop', deployment_id: 1, message: line }));
        assert.equal((await postEvents(vigil.url, batch)).status, 202);
        batches++;
      }
      assert.equal(await dropped(), 1, `the server dropped the stalled stream (after ${batches} batches of 1.2 MB)`);
      socket.resume(); // what reached the socket drains, then the server's end arrives
      await closed;
      assert.equal(parseMetrics(await (await fetch(`${vigil.url}/metrics`)).text(), /^vigil_deployments_stream/).get('vigil_deployments_stream_clients{}'), 0);
    } finally {
      await vigil.stop();
    }
  });
});
