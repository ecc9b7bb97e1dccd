import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dashboardPart } from '../../dashboard/part';
import { deploymentsPart } from '../../exporters/deployments/part';
import type { ProjectJson } from '../../exporters/projects/api';
import { projectsPart } from '../../exporters/projects/part';
import { closedPort, httpServer, type Running } from '../exporters/projects/servers';
import { startVigil, type RunningVigil, type StartOptions } from '../helpers/vigil';
import { fakeComponent, hang, HEALTHY, json, mainText, page, postEvents, text, TOKEN, type FakeComponent } from './helpers';

const PARTS = [projectsPart, deploymentsPart, dashboardPart];

async function waitChecked(vigil: RunningVigil): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const body = (await (await fetch(`${vigil.url}/api/v1/projects`)).json()) as { projects: ProjectJson[] };
    if (body.projects.every((p) => p.last_check !== null)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('projects were never checked');
}

interface Setup {
  web: Running;
  down: number;
}

const projectsYaml = (s: Setup): string => `projects:
  interval: 1h
  targets:
    - {name: web, labels: {url: "https://web.example.com/"}, checks: [{type: http, url: "http://127.0.0.1:${s.web.port}/"}]}
    - {name: db, checks: [{type: tcp, address: "127.0.0.1:${s.down}"}]}
`;

async function startPortal(s: Setup, dashboard: string, opts: StartOptions = {}): Promise<RunningVigil> {
  const vigil = await startVigil(`${projectsYaml(s)}dashboard:\n  enabled: true\n  timeout: 300ms\n  cache: 0s\n${dashboard}`, {
    parts: PARTS,
    ...opts,
    env: { VIGIL_API_TOKEN: TOKEN, ...opts.env },
  });
  await waitChecked(vigil);
  return vigil;
}

const component = (name: string, url: string, extra = ''): string => `  ${name}: {url: "${url}", public_url: "https://${name}.example.com/"${extra}}\n`;

describe('portal pages', () => {
  const setup = {} as Setup;
  const fakes: FakeComponent[] = [];
  before(async () => {
    setup.web = await httpServer((_req, res) => res.end('ok'));
    setup.down = await closedPort();
  });
  after(async () => {
    await setup.web.close();
    for (const f of fakes) await f.close();
  });
  const fake = async (routes: Parameters<typeof fakeComponent>[0]): Promise<FakeComponent> => {
    const f = await fakeComponent(routes);
    fakes.push(f);
    return f;
  };

  it('Home: a card per component checked server-side with its version; down, slow and garbage components show as down, the page still renders', async () => {
    const grafana = await fake(HEALTHY.grafana);
    const kibana = await fake({ '/api/status': text('<html>login</html>') });
    const prometheus = await fake(HEALTHY.prometheus);
    const alertmanager = await fake({ '/-/healthy': hang, '/api/v2/status': hang, '/api/v2/alerts': hang });
    const es = await fake(HEALTHY.elasticsearch);
    const vigil = await startPortal(
      setup,
      component('grafana', grafana.url) + component('kibana', kibana.url) + component('prometheus', prometheus.url) + component('alertmanager', alertmanager.url) + component('elasticsearch', es.url),
    );
    try {
      const started = Date.now();
      const home = await page(`${vigil.url}/portal/`);
      assert.ok(Date.now() - started < 5000, 'a hung component costs at most its timeout');
      assert.equal(home.status, 200);
      const cardOf = (name: string): string => {
        const at = home.body.indexOf(`data-component="${name}"`);
        assert.ok(at > 0, `a card for ${name}`);
        return home.body.slice(home.body.lastIndexOf('<div class="card', at), home.body.indexOf('</div>\n', at) + 6);
      };
      assert.match(cardOf('grafana'), /class="card up"[\s\S]*href="https:\/\/grafana.example.com"[\s\S]*version 11\.6\.0/);
      assert.match(cardOf('kibana'), /class="card down"[\s\S]*not JSON/, 'garbage is down');
      assert.match(cardOf('prometheus'), /class="card up"[\s\S]*version 2\.53\.3/);
      assert.match(cardOf('alertmanager'), /class="card down"[\s\S]*timed out after 0\.3s/, 'a slow component is down within its timeout');
      assert.match(cardOf('elasticsearch'), /class="card degraded"[\s\S]*version 9\.1\.0[\s\S]*yellow/);
      assert.match(cardOf('vigil-projects'), /class="card up"/);
      assert.match(home.body, /Alertmanager did not answer: timed out/);
      assert.match(mainText(home.body), /Projects down db tcp: connection refused/);
      assert.deepEqual(grafana.requests, ['/api/health'], 'only the documented health endpoint');
      assert.deepEqual(new Set(es.requests), new Set(['/_cluster/health', '/']));
      assert.deepEqual(new Set(prometheus.requests), new Set(['/-/healthy', '/api/v1/status/buildinfo']));
    } finally {
      await vigil.stop();
    }
  });

  it('Home with no component configured requests nothing and says so; the machine endpoints keep their lean router', async () => {
    const vigil = await startPortal(setup, '');
    try {
      const home = await page(`${vigil.url}/portal/`);
      assert.equal(home.status, 200);
      assert.equal((home.body.match(/class="card unconfigured"/g) ?? []).length, 5);
      assert.match(home.body, /Alerts need Alertmanager/);
      assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'self';script-src 'self'/);
      assert.equal(home.headers.get('x-content-type-options'), 'nosniff');
      const metrics = await page(`${vigil.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.equal(metrics.headers.get('content-security-policy'), null, '/metrics is not served by Express');
      const landing = await page(`${vigil.url}/`);
      assert.match(landing.body, /href="\/portal\/"/);
    } finally {
      await vigil.stop();
    }
  });

  it('Projects: rows with status, links to Grafana (var-project), Kibana and the site; history from Prometheus, or a note when none is configured or it fails', async () => {
    const now = Math.floor(Date.now() / 1000);
    const prometheus = await fake({
      '/api/v1/query_range': json({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { project: 'web' }, values: [[now - 3600, '0.2'], [now - 1800, '0.4'], [now - 900, '0.1']] }] },
      }),
      '/api/v1/query': json({ status: 'success', data: { resultType: 'vector', result: [{ metric: { project: 'web' }, value: [now, '0.995'] }, { metric: { project: 'db' }, value: [now, '0.5'] }] } }),
    });
    const grafana = await fake(HEALTHY.grafana);
    const kibana = await fake(HEALTHY.kibana);
    const vigil = await startPortal(setup, component('prometheus', prometheus.url) + component('grafana', grafana.url) + component('kibana', kibana.url));
    try {
      const res = await page(`${vigil.url}/portal/projects`);
      assert.equal(res.status, 200);
      assert.match(res.body, /<tr id="project-db" class="down"/);
      assert.match(res.body, /<tr id="project-web" class="up"/);
      assert.ok(res.body.indexOf('project-db') < res.body.indexOf('project-web'), 'sorted by name');
      assert.match(res.body, /href="https:\/\/grafana.example.com\/d\/vigil-projects\/\?var-project=web"/);
      assert.match(res.body, /href="https:\/\/kibana.example.com\/app\/discover#\/\?_g=[^"]*&amp;_a=[^"]*project.name[^"]*web/);
      assert.match(res.body, /href="https:\/\/web.example.com\/"/);
      assert.match(res.body, /<svg class="spark"[^>]*>.*<polyline points="[\d., ]+"\/>/, 'a response-time chart drawn on the server');
      assert.match(mainText(res.body), /web up \d+ ms 99\.50 %/);
      assert.match(mainText(res.body), /db tcp: connection refused down \d+ ms 50\.00 %/);
      assert.ok(prometheus.requests.some((r) => r.startsWith('/api/v1/query_range?') && r.includes('project_check_duration_seconds')));
      assert.doesNotMatch(res.body, /Check now/, 'no trigger for an anonymous viewer by default');

      const down = await page(`${vigil.url}/portal/projects?status=down&sort=response&order=desc`);
      assert.match(down.body, /project-db/);
      assert.doesNotMatch(down.body, /id="project-web"/);
      assert.match(down.body, /aria-current="true">down \(1\)/);
    } finally {
      await vigil.stop();
    }

    const garbage = await fake({ '/api/v1/query_range': text('{"status":"error"'), '/api/v1/query': text('nope') });
    const broken = await startPortal(setup, component('prometheus', garbage.url));
    try {
      const res = await page(`${broken.url}/portal/projects`);
      assert.equal(res.status, 200);
      assert.match(res.body, /Prometheus did not answer: history is not shown: answered something that is not JSON/);
      assert.match(res.body, /<tr id="project-web" class="up"/, 'live values still shown');
    } finally {
      await broken.stop();
    }

    const none = await startPortal(setup, '');
    try {
      const res = await page(`${none.url}/portal/projects`);
      assert.match(res.body, /History needs Prometheus: set dashboard.prometheus.url/);
      assert.match(res.body, /<tr id="project-web" class="up"/);
      assert.doesNotMatch(res.body, /grafana.example.com/);
    } finally {
      await none.stop();
    }
  });

  it('Deployments: recent runs and a run page with the timeline, queue time, logs and links; names are escaped; unknown run 404', async () => {
    const kibana = await fake(HEALTHY.kibana);
    const vigil = await startPortal(setup, component('kibana', kibana.url));
    try {
      const base = { project: 'shop', deployment_id: 7, environment: 'production' };
      await postEvents(vigil.url, [
        { ...base, type: 'deployment_started', workflow: '<script>alert(1)</script>', started_at: '2024-05-01T12:00:00Z', url: 'https://github.com/acme/shop/actions/runs/7', commit: '9f1c2ab' },
        { ...base, type: 'job_started', job: 'build', started_at: '2024-05-01T12:00:10Z' },
        { ...base, type: 'step_completed', job: 'build', step: '<img src=x onerror=alert(2)>', status: 'success', started_at: '2024-05-01T12:00:10Z', finished_at: '2024-05-01T12:00:40Z', duration_seconds: 30 },
        { ...base, type: 'step_completed', job: 'build', step: 'test', status: 'failure', started_at: '2024-05-01T12:00:40Z', finished_at: '2024-05-01T12:01:10Z', duration_seconds: 30 },
        { ...base, type: 'job_completed', job: 'build', status: 'failure', finished_at: '2024-05-01T12:01:10Z', duration_seconds: 60 },
        { ...base, type: 'log_entry', job: 'build', step: 'test', level: 'error', message: '</pre><script>alert(3)</script>' },
        { ...base, type: 'deployment_completed', status: 'failure', finished_at: '2024-05-01T12:01:10Z', duration_seconds: 70 },
      ]);
      const list = await page(`${vigil.url}/portal/deployments`);
      assert.equal(list.status, 200);
      assert.match(list.body, /<tr data-run="shop:7">/);
      assert.match(list.body, /href="\/portal\/deployments\/shop%3A7">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/a>/);
      assert.match(list.body, /data-live-streams="\/api\/v1\/deployments\/stream"/);

      const run = await page(`${vigil.url}/portal/deployments/shop%3A7`);
      assert.equal(run.status, 200);
      assert.doesNotMatch(run.body, /<script>alert|<img src=x/, 'no name from an event reaches the page as markup');
      assert.match(run.body, /&lt;img src=x onerror=alert\(2\)&gt;/);
      assert.match(run.body, /&lt;\/pre&gt;&lt;script&gt;alert\(3\)&lt;\/script&gt;/);
      const rows = [...run.body.matchAll(/<tr class="(job|step)" data-kind="\1" data-result="(\w+)">[\s\S]*?<rect class="(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"/g)].map((m) => [m[1], m[2], m[3], Number(m[4]), Number(m[5])]);
      assert.deepEqual(rows, [
        ['job', 'failure', 'failure', 142.9, 857.1],
        ['step', 'success', 'success', 142.9, 428.6],
        ['step', 'failure', 'failure', 571.4, 428.6],
      ], 'bars placed and sized by time on the run\'s scale, coloured by result');
      assert.match(run.body, /href="https:\/\/github.com\/acme\/shop\/actions\/runs\/7"/);
      assert.match(run.body, /href="https:\/\/kibana.example.com\/app\/discover[^"]*deployment.id/);
      assert.match(run.body, /data-live-streams="\/api\/v1\/deployments\/stream\?deployment=shop%3A7"/);

      const partial = await page(`${vigil.url}/portal/deployments/shop%3A7?partial=1`);
      assert.doesNotMatch(partial.body, /<html|<header/, 'the live script gets only the main region');
      assert.match(partial.body, /id="timeline"/);

      const missing = await page(`${vigil.url}/portal/deployments/nope`);
      assert.equal(missing.status, 404);
      assert.match(missing.body, /Not found/);
      assert.equal((await page(`${vigil.url}/portal/no-such-page`)).status, 404);
    } finally {
      await vigil.stop();
    }
  });

  it('Alerts: grouped by project and severity with silence and board links; unsafe links are dropped; Alertmanager down is said', async () => {
    const alert = (name: string, project: string | undefined, severity: string, state: 'active' | 'suppressed', extra: Record<string, string> = {}) => ({
      labels: { alertname: name, severity, ...(project ? { project } : {}) },
      annotations: { summary: `${name} summary`, ...extra },
      startsAt: '2024-05-01T12:00:00Z',
      status: { state, silencedBy: state === 'suppressed' ? ['s1'] : [], inhibitedBy: [] },
      fingerprint: name,
    });
    const am = await fake({
      ...HEALTHY.alertmanager,
      '/api/v2/alerts': json([
        alert('ProjectDown', 'shop', 'critical', 'active', { dashboard_url: 'https://grafana.example.com/d/vigil-projects?var-project=shop' }),
        alert('ProjectSlow', 'shop', 'warning', 'suppressed', { runbook_url: 'javascript:alert(1)' }),
        alert('DiskFull', undefined, 'critical', 'active', { summary: '<script>x</script>' }),
      ]),
    });
    const grafana = await fake(HEALTHY.grafana);
    const vigil = await startPortal(setup, component('alertmanager', am.url) + component('grafana', grafana.url));
    try {
      const res = await page(`${vigil.url}/portal/alerts`);
      assert.equal(res.status, 200);
      const groups = [...res.body.matchAll(/data-group="([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(groups, ['shop/critical', 'shop/warning', '/critical']);
      assert.match(res.body, /data-alert="ProjectSlow" data-state="silenced"/);
      assert.match(res.body, /href="https:\/\/alertmanager.example.com\/#\/silences\/new\?filter=%7Balertname%3D%22ProjectDown%22%2Cproject%3D%22shop%22%7D"/);
      assert.match(res.body, /href="https:\/\/grafana.example.com\/d\/vigil-projects\?var-project=shop"/);
      assert.doesNotMatch(res.body, /javascript:/);
      assert.doesNotMatch(res.body, /<script>x/);
      const home = await page(`${vigil.url}/portal/`);
      assert.match(mainText(home.body), /critical: 2/, 'firing alerts by severity on Home (silenced ones not counted)');
      assert.doesNotMatch(mainText(home.body), /warning: 1/);
    } finally {
      await vigil.stop();
    }
    await am.close();
    const gone = await startPortal(setup, component('alertmanager', am.url));
    try {
      const res = await page(`${gone.url}/portal/alerts`);
      assert.equal(res.status, 200);
      assert.match(res.body, /Alertmanager did not answer: connection refused/);
    } finally {
      await gone.stop();
    }
  });

  it('speaks Chinese from Accept-Language; ?lang= switches and is remembered', async () => {
    const vigil = await startPortal(setup, '');
    try {
      const zh = await page(`${vigil.url}/portal/projects`, { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
      assert.match(zh.body, /<html lang="zh-CN">/);
      assert.match(zh.body, /<h1>项目<\/h1>/);
      assert.match(zh.body, /故障/);
      const en = await page(`${vigil.url}/portal/projects?lang=en`, { 'accept-language': 'zh-CN' });
      assert.match(en.body, /<h1>Projects<\/h1>/);
      const cookie = en.headers.get('set-cookie') ?? '';
      assert.match(cookie, /vigil_lang=en/);
      const again = await page(`${vigil.url}/portal/`, { 'accept-language': 'zh-CN', cookie: cookie.split(';')[0] as string });
      assert.match(again.body, /<h1>Home<\/h1>/);
      const fr = await page(`${vigil.url}/portal/`, { 'accept-language': 'fr-FR, zh;q=0.5' });
      assert.match(fr.body, /<h1>首页<\/h1>/, 'the first language the portal speaks');
    } finally {
      await vigil.stop();
    }
  });

  it('basic auth guards every page; the viewer may check now; a cross-site post and an unknown project are refused', async () => {
    const vigil = await startPortal(setup, '  auth: {basic: {username: ops}}\n', { env: { VIGIL_DASHBOARD_PASSWORD: 'pa55' } });
    try {
      const anon = await page(`${vigil.url}/portal/projects`);
      assert.equal(anon.status, 401);
      assert.match(anon.headers.get('www-authenticate') ?? '', /^Basic realm="Vigil"/);
      const wrong = await page(`${vigil.url}/portal/projects`, { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` });
      assert.equal(wrong.status, 401);
      const auth = { authorization: `Basic ${Buffer.from('ops:pa55').toString('base64')}` };
      const ok = await page(`${vigil.url}/portal/projects`, auth);
      assert.equal(ok.status, 200);
      assert.match(ok.body, /signed in as ops/);
      assert.match(ok.body, /<form class="inline" method="post" action="\/portal\/projects\/db\/check"><button type="submit">Check now<\/button><\/form>/);
      assert.doesNotMatch(ok.body, /pa55/);
      const post = (name: string, headers: Record<string, string>) => fetch(`${vigil.url}/portal/projects/${name}/check`, { method: 'POST', headers, redirect: 'manual' });
      const before = ((await (await fetch(`${vigil.url}/api/v1/projects/db`)).json()) as ProjectJson).failures;
      const checked = await post('db', { ...auth, origin: new URL(vigil.url).origin });
      assert.equal(checked.status, 303);
      assert.equal(checked.headers.get('location'), '/portal/projects#project-db');
      assert.equal(((await (await fetch(`${vigil.url}/api/v1/projects/db`)).json()) as ProjectJson).failures, before + 1, 'the checks ran');
      assert.equal((await post('db', { ...auth, origin: 'https://evil.example' })).status, 403);
      assert.equal((await post('db', { ...auth, 'sec-fetch-site': 'cross-site' })).status, 403);
      assert.equal((await post('db', {})).status, 401);
      assert.equal((await post('nope', auth)).status, 404);
    } finally {
      await vigil.stop();
    }
    await assert.rejects(startPortal(setup, '  auth: {basic: {username: ops}}\n'), /VIGIL_DASHBOARD_PASSWORD/, 'basic auth without a password refuses to start');
  });

  it('a trusted proxy header names the viewer; without it the page is refused; works below --web.route-prefix', async () => {
    const vigil = await startPortal(setup, '  auth: {proxy_header: X-Forwarded-User}\n', { routePrefix: '/project-dashboard' });
    try {
      assert.equal((await page(`${vigil.url}/portal/`)).status, 403);
      const res = await page(`${vigil.url}/portal/projects`, { 'x-forwarded-user': '<b>li</b>' });
      assert.equal(res.status, 200);
      assert.match(res.body, /signed in as &lt;b&gt;li&lt;\/b&gt;/);
      assert.match(res.body, /href="\/project-dashboard\/portal\/static\/portal.css"/);
      assert.match(res.body, /action="\/project-dashboard\/portal\/projects\/web\/check"/);
      assert.match(res.body, /data-live-streams="\/project-dashboard\/api\/v1\/projects\/stream"/);
      const css = await page(`${vigil.url}/portal/static/portal.css`, { 'x-forwarded-user': 'li' });
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /text\/css/);
    } finally {
      await vigil.stop();
    }
  });
});
