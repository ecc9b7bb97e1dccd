import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Eta } from 'eta';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEPLOYMENTS_SERVICE, type RunSummary } from '../exporters/deployments/service';
import { PROJECTS_SERVICE } from '../exporters/projects/api';
import { RUNNING_PARTS, type Services } from '../core/services';
import type { Logger } from '../core/logger';
import { errorFields } from '../core/logger';
import { fetchAlerts } from './alerts';
import { authMiddleware, sameOrigin } from './auth';
import { checkComponents } from './components';
import type { DashboardConfig } from './config';
import { createCache } from './fetch-json';
import { DATASET } from './dataset';
import { fetchHistory } from './history';
import { grafanaDeployments } from './links';
import { chooseLang, MESSAGES, type Lang, type Messages } from './i18n';
import { alertsPage, homePage, projectsPage, runPage, runRows, SORTS, STATUS_FILTERS, type Sort, type StatusFilter } from './pages';
import { CSS, LIVE_JS } from './static';
import { ALERTS } from './views/alerts';
import { DEPLOYMENTS, RUN } from './views/deployments';
import { HOME, RUNS } from './views/home';
import { LAYOUT } from './views/layout';
import { NOT_FOUND } from './views/not-found';
import { PROJECTS } from './views/projects';

/** Where the portal lives below the route prefix. */
export const MOUNT = '/portal';

export interface PortalOptions {
  config: () => DashboardConfig;
  password: () => string | undefined;
  services: Services;
  logger: Logger;
  now?: () => number;
}

type Page = 'home' | 'projects' | 'deployments' | 'alerts';

interface Locals {
  lang: Lang;
  t: Messages;
  base: string;
  root: string;
  viewer?: string;
}

/** The portal's Express app: helmet (CSP), compression, auth, language, the four pages and a run page. */
export interface Portal {
  readonly handle: (req: IncomingMessage, res: ServerResponse, base: string) => void;
  /** Forgets every cached component answer (after a reload changed the URLs). */
  readonly reset: () => void;
}

export function createPortal(opts: PortalOptions): Portal {
  const now = opts.now ?? Date.now;
  const cfg = opts.config;
  const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true });
  for (const [name, text] of Object.entries({ layout: LAYOUT, home: HOME, runs: RUNS, projects: PROJECTS, deployments: DEPLOYMENTS, run: RUN, alerts: ALERTS, notFound: NOT_FOUND })) {
    eta.loadTemplate(`@${name}`, text);
  }
  const cache = createCache(() => cfg().cache, now);
  const projects = () => opts.services.get(PROJECTS_SERVICE);
  const deployments = () => opts.services.get(DEPLOYMENTS_SERVICE);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      // The reverse proxy in front decides about HTTPS; the portal must work on plain HTTP too.
      strictTransportSecurity: false,
      // Links to Grafana, Kibana and project sites carry no referrer; the portal's own form posts keep their Origin.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(compression());
  app.use((req, res, next) => authMiddleware(cfg().auth, opts.password())(req, res, next));
  app.use((req, res, next) => {
    const queryLang = req.query.lang;
    const lang = chooseLang(queryLang, req.headers.cookie, req.headers['accept-language']);
    if (queryLang === 'en' || queryLang === 'zh') res.cookie('vigil_lang', lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400_000 });
    const base = (req as Request & { portalBase?: string }).portalBase ?? MOUNT;
    const locals: Locals = { lang, t: MESSAGES[lang], base, root: base.slice(0, base.length - MOUNT.length), ...(res.locals.viewer ? { viewer: res.locals.viewer as string } : {}) };
    res.locals.portal = locals;
    res.setHeader('vary', 'Accept-Language, Cookie');
    res.setHeader('cache-control', 'no-store');
    next();
  });

  const L = (res: Response): Locals => res.locals.portal as Locals;

  /** Renders a page in the layout, or only its main region for the live script (?partial=1). */
  const render = (req: Request, res: Response, page: Page | undefined, title: string, view: string, data: object, live?: { streams: string[]; events: string; slow?: string }, status = 200): void => {
    const l = L(res);
    const body = eta.render(view, { ...data, t: l.t, base: l.base, lang: l.lang });
    res.status(status).type('html');
    if (req.query.partial === '1') {
      res.send(body);
      return;
    }
    const nav = (['home', 'projects', 'deployments', 'alerts'] as const).map((p) => ({ path: p === 'home' ? '/' : `/${p}`, label: l.t[p], current: p === page }));
    res.send(
      eta.render('@layout', {
        t: l.t,
        lang: l.lang,
        base: l.base,
        viewer: l.viewer,
        nav,
        pageTitle: title,
        body,
        live: live && { streams: live.streams.join(' '), events: live.events, slow: live.slow ?? '' },
      }),
    );
  };

  const projectsStream = (res: Response): string => `${L(res).root}/api/v1/projects/stream`;
  const deploymentsStream = (res: Response, q = ''): string => `${L(res).root}/api/v1/deployments/stream${q}`;
  const canCheck = (res: Response): boolean => cfg().check_now === 'everyone' || (cfg().check_now === 'authenticated' && L(res).viewer !== undefined);
  const lastRunOf = (): ((project: string) => RunSummary | undefined) => {
    const d = deployments();
    if (!d) return () => undefined;
    // One pass over the history: the first (most recent) run of each project.
    const latest = new Map<string, RunSummary>();
    for (const run of d.summaries(undefined, 100_000)) if (!latest.has(run.project)) latest.set(run.project, run);
    return (project) => latest.get(project);
  };

  app.get('/static/portal.css', (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=3600');
    res.type('css').send(CSS);
  });
  app.get('/static/live.js', (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=3600');
    res.type('js').send(LIVE_JS);
  });

  app.get('/', async (req, res) => {
    const c = cfg();
    const [components, alerts] = await Promise.all([cache.get('components', () => checkComponents(c)), cache.get('alerts', () => fetchAlerts(c))]);
    const data = homePage(
      {
        components,
        parts: opts.services.get(RUNNING_PARTS)?.() ?? [],
        alerts,
        projects: projects()?.list() ?? [],
        runs: deployments()?.summaries(undefined, 10) ?? [],
      },
      L(res).t,
    );
    render(req, res, 'home', L(res).t.home, '@home', data, { streams: [projectsStream(res), deploymentsStream(res)], events: 'status change' });
  });

  app.get('/projects', async (req, res) => {
    const c = cfg();
    const sort = SORTS.includes(req.query.sort as Sort) ? (req.query.sort as Sort) : 'name';
    const filter = STATUS_FILTERS.includes(req.query.status as StatusFilter) ? (req.query.status as StatusFilter) : 'all';
    const history = await cache.get('history', () => fetchHistory(c, now()));
    const data = projectsPage(
      { projects: projects()?.list() ?? [], history, lastRun: lastRunOf(), sort, desc: req.query.order === 'desc', filter, nowMs: now(), base: L(res).base },
      c,
      L(res).t,
    );
    render(req, res, 'projects', L(res).t.projects, '@projects', { ...data, canCheck: canCheck(res) }, { streams: [projectsStream(res)], events: 'status', slow: 'check' });
  });

  app.post('/projects/:name/check', async (req, res) => {
    if (!canCheck(res)) {
      res.status(403).type('text/plain').send('You may not trigger checks.\n');
      return;
    }
    if (!sameOrigin(req)) {
      res.status(403).type('text/plain').send('Cross-site request refused.\n');
      return;
    }
    const name = req.params.name;
    const run = projects()?.check(name);
    if (!run || !(await run)) {
      render(req, res, 'projects', L(res).t.notFound, '@notFound', { what: `${L(res).t.project}: ${name}` }, undefined, 404);
      return;
    }
    res.redirect(303, `${L(res).base}/projects#project-${encodeURIComponent(name)}`);
  });

  app.get('/deployments', (req, res) => {
    const project = typeof req.query.project === 'string' && req.query.project !== '' ? req.query.project : undefined;
    const runs = runRows(deployments()?.summaries(project, 50) ?? [], L(res).t);
    const grafana = project ? grafanaDeployments(cfg(), project) : undefined;
    render(req, res, 'deployments', L(res).t.deployments, '@deployments', { runs, project, grafana }, {
      streams: [deploymentsStream(res, project ? `?project=${encodeURIComponent(project)}` : '')],
      events: 'change',
    });
  });

  app.get('/deployments/:id', (req, res) => {
    const run = deployments()?.get(req.params.id);
    if (!run) {
      render(req, res, 'deployments', L(res).t.notFound, '@notFound', { what: `${L(res).t.run}: ${req.params.id}` }, undefined, 404);
      return;
    }
    render(req, res, 'deployments', `${run.project} · ${run.workflow}`, '@run', runPage(run, cfg(), L(res).t, now()), {
      streams: [deploymentsStream(res, `?deployment=${encodeURIComponent(run.id)}`)],
      events: 'change',
    });
  });

  app.get('/alerts', async (req, res) => {
    const c = cfg();
    const alerts = await cache.get('alerts', () => fetchAlerts(c));
    render(req, res, 'alerts', L(res).t.alerts, '@alerts', alertsPage(alerts, c));
  });

  app.use((req, res) => {
    render(req, res, undefined, L(res).t.notFound, '@notFound', { what: req.path }, undefined, 404);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    opts.logger.error('portal page failed', { ...errorFields(err), event: { dataset: DATASET, action: 'portal-page-failed' }, vigil: { part: 'dashboard' } });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).type('text/plain').send('The page failed; see Vigil\'s log.\n');
  });

  return {
    handle(req, res, base) {
      (req as IncomingMessage & { portalBase?: string }).portalBase = base;
      app(req as Request, res as Response);
    },
    reset: () => cache.clear(),
  };
}
