/**
 * alertmanager/: the rendered configuration passes `amtool check-config`; a table of label sets
 * goes through `amtool config routes test` to the expected receivers; the real Alertmanager
 * routes and inhibits posted alerts as the table says; the email templates render; two
 * Alertmanagers started by the test helper form a cluster.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ALERTMANAGER_DIR, renderAlertmanagerConfig } from '../../scripts/stack-config';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager';
import { SAMPLE_ENV } from './env';

const run = promisify(execFile);

async function amtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('amtool', args);
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

/** Label sets and the receivers they must reach, in order. */
const ROUTES: [labels: Record<string, string>, receivers: string][] = [
  [{ alertname: 'ProjectDown', severity: 'critical', project: 'shop', host: 'web-1' }, 'ops-email,ops-dingtalk'],
  [{ alertname: 'HostDiskAlmostFull', severity: 'critical', host: 'web-1', mountpoint: '/' }, 'ops-email,ops-dingtalk'],
  [{ alertname: 'ProjectSlow', severity: 'warning', project: 'shop' }, 'ops-dingtalk'],
  [{ alertname: 'HostDiskAlmostFull', severity: 'warning', host: 'web-1' }, 'ops-dingtalk'],
  [{ alertname: 'DeploymentSlow', severity: 'info', project: 'shop' }, 'nobody'],
  [{ alertname: 'Watchdog', severity: 'info' }, 'watchdog'],
  // an alert without a severity (a hand-written rule) still reaches people
  [{ alertname: 'SomethingCustom' }, 'ops-dingtalk'],
  [{ alertname: 'SomethingCustom', severity: 'page' }, 'ops-dingtalk'],
];

describe('alertmanager/', () => {
  let dir: string;
  let config: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-amcfg-'));
    config = join(dir, 'alertmanager.yml');
    await renderAlertmanagerConfig(SAMPLE_ENV, config);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('amtool check-config: the rendered configuration is valid, with its inhibit rules, receivers and templates', async () => {
    const { code, out } = await amtool(['check-config', config]);
    assert.equal(code, 0, out);
    assert.match(out, /SUCCESS/);
    assert.match(out, / - 3 inhibit rules\n - 4 receivers\n - 1 templates\n\s+SUCCESS/, out);
    const text = await readFile(config, 'utf8');
    assert.match(text, /smtp_smarthost: 'smtp\.example\.com:587'/);
    assert.match(text, /url: 'http:\/\/127\.0\.0\.1:9\/alerts\/ops'/);
    assert.match(text, /location: 'Asia\/Shanghai'/, 'quiet hours default to Asia/Shanghai');
    assert.doesNotMatch(text, /\$\{/, 'every placeholder is replaced');
  });

  it('rendering refuses missing variables, names them, and writes nothing', async () => {
    const out = join(dir, 'missing.yml');
    const env = Object.fromEntries(Object.keys(SAMPLE_ENV).map((k) => [k, '']));
    await assert.rejects(renderAlertmanagerConfig(env, out), /environment variables not set: SMTP_SMARTHOST SMTP_FROM ALERT_EMAIL_TO$/);
    await assert.rejects(stat(out), { code: 'ENOENT' });
    await assert.rejects(stat(`${out}.tmp`), { code: 'ENOENT' });
  });

  it('a value with ampersands, bars, backslashes and slashes is kept as given', async () => {
    const out = join(dir, 'odd.yml');
    await renderAlertmanagerConfig({ ...SAMPLE_ENV, SMTP_USERNAME: 'a&b|c\\d/e' }, out);
    assert.match(await readFile(out, 'utf8'), /smtp_auth_username: 'a&b\|c\\d\/e'/);
  });

  it('amtool config routes test: every label set reaches its receivers', async () => {
    for (const [labels, receivers] of ROUTES) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
      const { code, out } = await amtool(['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receivers}`, ...pairs]);
      assert.equal(code, 0, `${pairs.join(' ')} -> ${out}`);
      assert.equal(out.split('\n')[0], receivers, pairs.join(' '));
    }
    // and the check can fail: a critical alert does not go to nobody
    const wrong = await amtool(['config', 'routes', 'test', `--config.file=${config}`, '--verify.receivers=nobody', 'severity=critical']);
    assert.equal(wrong.code, 1, wrong.out);
  });

  it('email templates render subject, text and HTML in Chinese and English', async () => {
    const render = async (name: string): Promise<string> => {
      const { code, out } = await amtool(['template', 'render', `--template.glob=${join(ALERTMANAGER_DIR, 'templates/*.tmpl')}`, `--template.text={{ template "${name}" . }}`]);
      assert.equal(code, 0, out);
      return out;
    };
    assert.match(await render('vigil.email.subject'), /^\[恢复 RESOLVED\]/);
    const text = await render('vigil.email.text');
    assert.match(text, /摘要 Summary: /);
    assert.match(text, /标签 Labels: .*instance=foo\.bar:1234/);
    const html = await render('vigil.email.html');
    assert.match(html, /<html lang="zh-CN">/);
    assert.match(html, /<meta charset="utf-8">/);
    assert.match(html, /Microsoft YaHei/);
    assert.match(html, /<a href="https:\/\/generatorurl\.com"/);
  });

  describe('the real Alertmanager with the rendered configuration', () => {
    let am: RunningAlertmanager;
    before(async () => {
      am = await startAlertmanager({ configFile: config });
    });
    after(async () => am?.stop());

    it('routes each posted alert to the receivers of the table', async () => {
      await am.postAlerts(ROUTES.map(([labels]) => ({ labels: { ...labels, test: 'routing' }, annotations: { summary: 's' } })));
      const alerts = await am.waitForAlerts((a) => a.filter((x) => x.labels.test === 'routing').length === ROUTES.length);
      for (const [labels, receivers] of ROUTES) {
        const found = alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v) && Object.keys(a.labels).length === Object.keys(labels).length + 1);
        assert.ok(found, JSON.stringify(labels));
        assert.deepEqual(found.receivers.map((r) => r.name).sort(), receivers.split(',').sort(), JSON.stringify(labels));
      }
    });

    it('inhibits: a host down silences its projects; a project down its slowness; critical the same warning', async () => {
      const t = { test: 'inhibit' };
      await am.postAlerts([
        { labels: { ...t, alertname: 'HostExporterDown', severity: 'critical', host: 'web-9' } },
        { labels: { ...t, alertname: 'ProjectDown', severity: 'critical', project: 'shop', host: 'web-9' } },
        { labels: { ...t, alertname: 'ProjectDown', severity: 'critical', project: 'blog', host: 'web-8' } },
        { labels: { ...t, alertname: 'ProjectSlow', severity: 'warning', project: 'blog', host: 'web-8' } },
        { labels: { ...t, alertname: 'HostDiskAlmostFull', severity: 'critical', host: 'db-1', mountpoint: '/' } },
        { labels: { ...t, alertname: 'HostDiskAlmostFull', severity: 'warning', host: 'db-1', mountpoint: '/' } },
        { labels: { ...t, alertname: 'HostDiskAlmostFull', severity: 'warning', host: 'db-1', mountpoint: '/data' } },
      ]);
      const state = (a: { labels: Record<string, string>; status: { state: string } }): string =>
        `${a.labels.alertname} ${a.labels.severity} ${a.labels.host} ${a.labels.project ?? a.labels.mountpoint ?? ''} ${a.status.state}`;
      const alerts = await am.waitForAlerts((a) => a.filter((x) => x.labels.test === 'inhibit' && x.status.state !== 'unprocessed').length === 7);
      assert.deepEqual(alerts.filter((a) => a.labels.test === 'inhibit').map(state).sort(), [
        'HostDiskAlmostFull critical db-1 / active',
        'HostDiskAlmostFull warning db-1 / suppressed',
        'HostDiskAlmostFull warning db-1 /data active',
        'HostExporterDown critical web-9  active',
        'ProjectDown critical web-8 blog active',
        'ProjectDown critical web-9 shop suppressed',
        'ProjectSlow warning web-8 blog suppressed',
      ]);
    });
  });

  it('the helper runs two Alertmanagers as a cluster: a silence made on one is on the other', async () => {
    const cfg = 'route: {receiver: x}\nreceivers: [{name: x}]\n';
    const fast = ['--cluster.gossip-interval=50ms', '--cluster.pushpull-interval=1s', '--cluster.settle-timeout=1s'];
    const a = await startAlertmanager({ config: cfg, cluster: {}, args: fast });
    try {
      const b = await startAlertmanager({ config: cfg, cluster: { peers: [a.clusterAddress as string] }, args: fast });
      try {
        const id = await a.silence([{ name: 'alertname', value: 'Gossip' }]);
        for (let i = 0; ; i++) {
          const res = await fetch(`${b.url}/api/v2/silence/${id}`);
          if (res.ok) break;
          assert.ok(i < 150, 'the silence did not reach the second Alertmanager');
          await new Promise((r) => setTimeout(r, 100));
        }
        let status = await b.status();
        for (let i = 0; status.cluster.status !== 'ready' && i < 100; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = await b.status();
        }
        assert.equal(status.cluster.status, 'ready');
        assert.deepEqual(status.cluster.peers.map((p) => p.address).sort(), [a.clusterAddress, b.clusterAddress].sort());
      } finally {
        await b.stop();
      }
    } finally {
      await a.stop();
    }
  });
});
