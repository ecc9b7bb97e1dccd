import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '../../relay/payload';

/** An Alertmanager v4 payload like the ones Vigil's routes send, with `n` alerts. */
export function samplePayload(n = 1, overrides: Partial<Payload> = {}, status: 'firing' | 'resolved' = 'firing'): Payload {
  const alerts = Array.from({ length: n }, (_, i) => ({
    status,
    labels: { alertname: 'HostDown', severity: 'critical', host: `web-${i + 1}`, project: 'shop', team: 'ops', owner_mobile: '13800000001' },
    annotations: {
      summary: `web-${i + 1} is down`,
      description: `node_exporter on web-${i + 1} has not answered for 5 minutes.`,
      dashboard_url: 'https://grafana.example/d/hosts',
      runbook_url: 'https://runbooks.example/HostDown',
    },
    startsAt: '2026-11-29T22:00:00Z',
    endsAt: status === 'resolved' ? '2026-11-29T22:35:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph?g0.expr=up%3D%3D0',
    fingerprint: `f${i}`,
  }));
  return {
    version: '4',
    groupKey: '{}:{alertname="HostDown"}',
    truncatedAlerts: 0,
    status,
    receiver: 'ops',
    groupLabels: { alertname: 'HostDown' },
    commonLabels: { alertname: 'HostDown', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts,
    ...overrides,
  };
}

/** vigil.yml with only the relay enabled; `relayLines` go below `relay:` (indented two spaces). */
export function relayOnlyYaml(relayLines: string): string {
  return `host: {enabled: false}
projects: {enabled: false}
deployments: {enabled: false}
shipper: {enabled: false}
relay:
  enabled: true
${relayLines}`;
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
