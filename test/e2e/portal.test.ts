import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PARTS } from '../../bin/parts';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager';
import { startPrometheus, type RunningPrometheus } from '../helpers/prometheus';
import { startVigil, type RunningVigil } from '../helpers/vigil';
import { fakeComponent, HEALTHY, postEvents, TOKEN, type FakeComponent } from '../dashboard/helpers';
import { httpServer, type Running } from '../exporters/projects/servers';

/** Screenshots of each page, kept as test artifacts (gitignored). */
const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/portal');

const vigilYaml = (web: Running, components: string): string => `projects:
  interval: 2s
  targets:
    - {name: web, labels: {url: "http://127.0.0.1:${web.port}/"}, checks: [{type: http, url: "http://127.0.0.1:${web.port}/", timeout: 1s}]}
    - {name: api, checks: [{type: http, url: "http://127.0.0.1:${web.port}/api", timeout: 1s}]}
host: {enabled: false}
shipper: {enabled: false}
dashboard:
  enabled: true
  timeout: 2s
  cache: 0s
  check_now: everyone
${components}`;

describe('the portal in headless Chromium against Vigil, a real Prometheus and a real Alertmanager', { timeout: 180_000 }, () => {
  let webHealthy = true;
  let web: Running;
  let vigil: RunningVigil;
  let prometheus: RunningPrometheus;
  let alertmanager: RunningAlertmanager;
  let grafana: FakeComponent;
  let context: BrowserContext;
  let profile: string;
  const consoleErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    web = await httpServer((req, res) => {
      res.statusCode = req.url === '/api' ? 404 : webHealthy ? 200 : 503;
      res.end('ok');
    });
    vigil = await startVigil(vigilYaml(web, ''), { parts: PARTS, env: { VIGIL_API_TOKEN: TOKEN } });
    prometheus = await startPrometheus({ targets: [new URL(vigil.url).host], scrapeInterval: '1s' });
    alertmanager = await startAlertmanager({ config: 'route: {receiver: none}\nreceivers: [{name: none}]\n' });
    grafana = await fakeComponent(HEALTHY.grafana);
    // Vigil learns the components' ports by a reload, as an operator would change vigil.yml.
    await writeFile(
      vigil.configFile,
      vigilYaml(web, `  prometheus: {url: "${prometheus.url}"}\n  alertmanager: {url: "${alertmanager.url}"}\n  grafana: {url: "${grafana.url}", public_url: "https://grafana.example.com"}\n`),
    );
    assert.equal((await fetch(`${vigil.url}/-/reload`, { method: 'POST' })).status, 200);
    await alertmanager.postAlerts([
      { labels: { alertname: 'ProjectDown', project: 'api', severity: 'critical' }, annotations: { summary: 'api is down' } },
      { labels: { alertname: 'CertExpiring', project: 'web', severity: 'warning' }, annotations: { summary: 'certificate expires soon' } },
    ]);
    await prometheus.waitFor('project_up', (r) => r.length === 2, 30_000);
    profile = await mkdtemp(join(tmpdir(), 'vigil-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
    });
  });

  after(async () => {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    await vigil?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    await grafana?.close();
    await web?.close();
  });

  const open = async (path: string, headers: Record<string, string> = {}): Promise<Page> => {
    const p = await context.newPage();
    await p.setExtraHTTPHeaders(headers);
    p.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${path}: ${m.text()}`);
    });
    const res = await p.goto(`${vigil.url}/portal${path}`);
    assert.equal(res?.status(), 200, `GET /portal${path}`);
    return p;
  };
  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** A value set in the page's window survives only if the page was not reloaded. */
  const mark = (p: Page) => p.evaluate('window.vigilMark = 42');
  const marked = (p: Page) => p.evaluate('window.vigilMark');
  /** The given attributes of every element a selector matches, in page order. */
  const attrs = async (p: Page, selector: string, names: readonly string[]): Promise<(string | null)[][]> => {
    const all = p.locator(selector);
    const out: (string | null)[][] = [];
    for (let i = 0; i < (await all.count()); i++) out.push(await Promise.all(names.map((n) => all.nth(i).getAttribute(n))));
    return out;
  };
  /** The live script has opened its streams. */
  const live = (p: Page) => p.waitForFunction("document.getElementById('main').dataset.liveConnected === 'true'");

  it('Home shows each component checked server-side, firing alerts by severity and the projects down', async () => {
    const p = await open('/');
    await p.waitForSelector('[data-component="prometheus"].up');
    assert.match((await p.textContent('[data-component="prometheus"]')) ?? '', /version \d+\.\d+/);
    assert.match((await p.textContent('[data-component="alertmanager"]')) ?? '', /up\s+version \d+\.\d+/);
    assert.match((await p.textContent('[data-component="grafana"]')) ?? '', /version 11\.6\.0/);
    assert.equal(await p.getAttribute('[data-component="grafana"] a', 'href'), 'https://grafana.example.com');
    assert.match((await p.textContent('[data-component="kibana"]')) ?? '', /not configured/);
    const firing = (await p.textContent('#firing')) ?? '';
    assert.match(firing, /critical: 1/);
    assert.match(firing, /warning: 1/);
    assert.match((await p.textContent('#projects-down')) ?? '', /api\s+http: status code 404 is not one of 2xx/);
    await shot(p, 'home');
    await p.close();
  });

  it('Projects lists every project with history from Prometheus and links; a project going down turns red without a reload', async () => {
    await prometheus.waitFor('avg_over_time(project_up[24h])', (r) => r.length === 2, 30_000);
    const p = await open('/projects');
    assert.equal(await p.getAttribute('#project-web', 'class'), 'up');
    assert.equal(await p.getAttribute('#project-api', 'class'), 'down');
    assert.equal(await p.getAttribute('#project-web a[href*="grafana"]', 'href'), 'https://grafana.example.com/d/vigil-projects/?var-project=web');
    assert.equal(await p.getAttribute('#project-web a[rel~="noopener"]', 'href'), `http://127.0.0.1:${web.port}/`);
    assert.match((await p.textContent('#project-web')) ?? '', /100\.00 %/, 'availability over 24 h from Prometheus');
    assert.equal(await p.locator('#project-web svg.spark polyline').count(), 1, 'a response-time chart from query_range');
    assert.equal(await p.locator('#history-note').count(), 0);
    await shot(p, 'projects');
    await live(p);
    await mark(p);
    webHealthy = false;
    await p.waitForSelector('#project-web.down', { timeout: 30_000 });
    assert.equal(await marked(p), 42, 'the row turned red without a reload');
    const red = await p.evaluate("getComputedStyle(document.getElementById('project-web')).backgroundColor");
    assert.equal(red, 'rgb(255, 235, 233)');
    await shot(p, 'projects-web-down');
    webHealthy = true;
    await p.click('#project-web button');
    await p.waitForURL(/\/portal\/projects#project-web$/);
    await p.waitForSelector('#project-web.up');
    await p.close();
  });

  it('Deployments: a deployment sent to the events API appears on the open page; its run page shows the timeline live', async () => {
    const p = await open('/deployments');
    await live(p);
    await mark(p);
    const base = { project: 'shop', deployment_id: 42, environment: 'production' };
    await postEvents(vigil.url, { ...base, type: 'deployment_started', workflow: 'deploy', url: 'https://github.com/acme/shop/actions/runs/42' });
    await p.waitForSelector('tr[data-run="shop:42"]', { timeout: 15_000 });
    assert.equal(await marked(p), 42, 'the run appeared without a reload');
    await shot(p, 'deployments');
    await p.click('tr[data-run="shop:42"] a');
    await p.waitForURL(/\/portal\/deployments\/shop%3A42$/);
    await live(p);
    await mark(p);
    await postEvents(vigil.url, [
      { ...base, type: 'job_started', job: 'build' },
      { ...base, type: 'step_completed', job: 'build', step: '<script>npm ci</script>', status: 'success', duration_seconds: 1 },
      { ...base, type: 'log_entry', job: 'build', level: 'warn', message: '3 deprecated packages' },
      { ...base, type: 'job_completed', job: 'build', status: 'success' },
      { ...base, type: 'deployment_completed', status: 'success' },
    ]);
    await p.waitForSelector('#run-result.success', { timeout: 15_000 });
    assert.equal(await marked(p), 42);
    assert.deepEqual(await attrs(p, '#timeline tbody tr', ['data-kind', 'data-result']), [
      ['job', 'success'],
      ['step', 'success'],
    ]);
    assert.equal(await p.textContent('#timeline tr.step td:first-child'), '<script>npm ci</script>', 'a step named <script> shows as text');
    assert.match((await p.textContent('#logs')) ?? '', /warn build 3 deprecated packages/);
    assert.equal(await p.getAttribute('a[href^="https://github.com"]', 'href'), 'https://github.com/acme/shop/actions/runs/42');
    await shot(p, 'run');
    await p.close();
  });

  it('Alerts come from Alertmanager grouped by project and severity, with silence links', async () => {
    const p = await open('/alerts');
    assert.deepEqual((await attrs(p, '[data-group]', ['data-group'])).flat(), ['api/critical', 'web/warning']);
    const silence = await p.getAttribute('[data-alert="ProjectDown"] a', 'href');
    assert.ok(silence?.startsWith(`${alertmanager.url}/#/silences/new?filter=`), silence ?? '');
    assert.equal(decodeURIComponent(silence?.split('filter=')[1] ?? ''), '{alertname="ProjectDown",project="api"}');
    await shot(p, 'alerts');
    await p.close();
  });

  it('the Chinese page is in Chinese: the switch changes the language and it is remembered', async () => {
    const p = await open('/projects');
    assert.equal(await p.textContent('h1'), 'Projects');
    await p.click('a[hreflang="zh"]');
    assert.equal(await p.textContent('h1'), '项目');
    assert.equal(await p.getAttribute('html', 'lang'), 'zh-CN');
    assert.match((await p.textContent('header nav')) ?? '', /首页\s*项目\s*部署\s*告警/);
    assert.match((await p.textContent('#project-api')) ?? '', /故障/);
    await shot(p, 'projects-zh');
    await p.goto(`${vigil.url}/portal/`);
    assert.equal(await p.textContent('h1'), '首页', 'the choice is remembered');
    await shot(p, 'home-zh');
    await p.click('a[hreflang="en"]');
    assert.equal(await p.textContent('h1'), 'Home');
    await p.goto(`${vigil.url}/portal/projects`);
    assert.equal(await p.textContent('h1'), 'Projects');
    await p.close();
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 390, height: 844 });
    await narrow.goto(`${vigil.url}/portal/projects`);
    const overflow = await narrow.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `readable on a phone: no sideways scrolling of the page (${overflow}px)`);
    await shot(narrow, 'projects-phone');
    await narrow.close();
    assert.deepEqual(consoleErrors, [], 'no script error and no content-security-policy violation on any page');
  });
});
