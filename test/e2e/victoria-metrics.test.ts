/**
 * Beyond one machine: Debian's victoria-metrics (single node: the cluster's remote-write and query
 * API) receives Prometheus's remote_write with the repo's settings (prometheus/remote-write.yml,
 * what docker-compose.scale.yml turns on), and its query API returns Vigil's series, raw and
 * recorded by the repo's rules, and fleet hosts found through file_sd with the repo's relabelling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchStack } from '../../scripts/stack';
import { remoteWriteSettings } from '../../scripts/stack-config';
import { startDaemon } from '../helpers/daemon';
import { freePort } from '../helpers/ports';
import { startVigil } from '../helpers/vigil';
import { SAMPLE_ENV } from '../alertmanager/env';

interface VmSample {
  metric: Record<string, string>;
  value: [number, string];
}

test('VictoriaMetrics receives remote_write with the repo settings and returns Vigil series', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-vm-'));
  const vmPort = await freePort();
  const vm = await startDaemon({
    command: 'victoria-metrics',
    args: [`-httpListenAddr=127.0.0.1:${vmPort}`, `-storageDataPath=${join(dir, 'vm')}`, '-search.latencyOffset=1s', '-search.disableCache', '-retentionPeriod=1d'],
    readyUrl: `http://127.0.0.1:${vmPort}/health`,
  });
  const vigil = await startVigil(`
host: {enabled: true}
deployments: {enabled: false}
shipper: {enabled: false}
projects:
  interval: 1s
  targets:
    - name: vigil-itself
      checks: [{type: tcp, address: "127.0.0.1:${vmPort}", timeout: 500ms}]
`);
  // Fleet hosts through file_sd, in the format of prometheus/targets/hosts.yml.example: this Vigil
  // once with a `host` label and once without (the relabelling names it by its address).
  const targets = join(dir, 'targets');
  await mkdir(targets);
  const vigilAddress = new URL(vigil.url).host;
  await writeFile(join(targets, 'hosts.yml'), `- targets: ['${vigilAddress}']\n  labels:\n    host: web-1\n- targets: ['${vigilAddress}']\n`);
  const stack = await launchStack({
    targetsDir: targets,
    dataDir: join(dir, 'stack'),
    vigil: new URL(vigil.url).host,
    host: 'site-a',
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    env: SAMPLE_ENV,
    // the single node's write path; the cluster's is /insert/<tenant>/prometheus/api/v1/write
    prometheusExtra: { remote_write: await remoteWriteSettings(`http://127.0.0.1:${vmPort}/api/v1/write`) },
  });
  const query = async (expr: string): Promise<VmSample[]> => {
    const res = await fetch(`http://127.0.0.1:${vmPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; data: { result: VmSample[] } };
    assert.equal(body.status, 'success', JSON.stringify(body));
    return body.data.result;
  };
  const waitFor = async (expr: string, pred: (r: VmSample[]) => boolean): Promise<VmSample[]> => {
    for (let i = 0; ; i++) {
      const r = await query(expr);
      if (pred(r)) return r;
      assert.ok(i < 180, `VictoriaMetrics never answered ${expr} as expected; last ${JSON.stringify(r)}\n${vm.logs()}\n${stack.prometheusLogs()}`);
      await sleep(500);
    }
  };
  try {
    const up = await waitFor('project_up{job="vigil",project="vigil-itself"}', (r) => r.length === 1);
    assert.equal(up[0]?.value[1], '1');
    assert.equal(up[0]?.metric.host, 'site-a');
    assert.equal(up[0]?.metric.job, 'vigil');
    const cpus = await waitFor('count(node_cpu_seconds_total{host="site-a",mode="idle"})', (r) => r.length === 1);
    assert.ok(Number(cpus[0]?.value[1]) >= 1);
    const hosts = await waitFor('up{job="hosts"}', (r) => r.length === 2 && r.every((s) => s.value[1] === '1'));
    assert.deepEqual(hosts.map((s) => s.metric.host).sort(), ['127.0.0.1', 'web-1']);
    await waitFor('count(node_cpu_seconds_total{job="hosts",host="web-1",mode="idle"})', (r) => r.length === 1);
    // series the repo's recording rules made in Prometheus arrive too
    const mem = await waitFor('host:node_memory_utilisation:ratio{host="site-a"}', (r) => r.length === 1);
    const ratio = Number(mem[0]?.value[1]);
    assert.ok(ratio > 0 && ratio < 1, String(ratio));
    await waitFor('project:project_up:max{project="vigil-itself"}', (r) => r[0]?.value[1] === '1');
    // the repo's write_relabel_configs drop Prometheus's Go runtime series
    await waitFor('count({__name__=~"prometheus_.+"})', (r) => Number(r[0]?.value[1]) > 0);
    assert.deepEqual(await query('count({__name__=~"go_memstats_.+|go_gc_.+|prometheus_tsdb_.+"})'), []);
  } finally {
    await stack.stop();
    await vigil.stop();
    await vm.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
