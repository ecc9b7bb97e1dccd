import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { HttpError, isFormType, parseJson, readBody, requireJson, sendJson, type Route } from '../../core/http-server';
import { createStreamHub, streamFilter, streamOptions } from '../../core/event-stream';
import { errorFields } from '../../core/logger';
import { definePart, type Part, type PartContext } from '../../core/part';
import { deploymentsConfigSchema, type DeploymentsConfig } from './config';
import { DATASET } from './dataset';
import { createDeliveryCache } from './delivery-cache';
import { logChange } from './event-log';
import { applyPipelineEvent, validateEvents } from './events-api';
import { applyGithubEvent, isGithubEvent } from './github';
import { createJournal } from './journal';
import { createDeploymentMetrics, DEPLOYMENT_FAMILIES, type WebhookResult, type WebhookSource } from './metrics';
import { INVALID_PROJECT_LABEL, PROJECT_NAME, PROJECT_NAME_RULE } from './project-name';
import { publicRun, runSummary, type RunRecord } from './model';
import { tokenChecker } from '../../core/bearer';
import { changed } from '../../core/changed';
import { readSecret, type Secret } from '../../core/secrets';
import { verifyGithubSignature } from './webhook-signature';
import { createTracker } from './tracker';
import { DEPLOYMENTS_SERVICE, deploymentsService } from './service';

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The most runs one list request returns. */
const MAX_LIST = 1000;

interface Secrets {
  readonly github?: Secret;
  readonly token?: { readonly secret: Secret; readonly matches: (given: string) => boolean };
}

async function loadSecrets(cfg: DeploymentsConfig, ctx: PartContext): Promise<Secrets> {
  const github = await readSecret(ctx.env, { variable: 'GITHUB_WEBHOOK_SECRET', file: cfg.github.secret_file, fileKey: 'deployments.github.secret_file' });
  const token = await readSecret(ctx.env, { variable: 'VIGIL_API_TOKEN', file: cfg.api.token_file, fileKey: 'deployments.api.token_file' });
  return { ...(github ? { github } : {}), ...(token ? { token: { secret: token, matches: tokenChecker(token) } } : {}) };
}

/** Deployment exporter: GitHub webhooks and pipeline events to metrics, ECS events and a run history. */
export function createDeploymentsPart(section: DeploymentsConfig, ctx: PartContext): Part<DeploymentsConfig> {
  const { logger } = ctx;
  let cfg = section;
  let secrets: Secrets = {};
  const metrics = createDeploymentMetrics(cfg.metrics);
  const hub = createStreamHub(streamOptions(cfg.stream), (clients, dropped) => {
    metrics.streamClients.set(clients);
    if (dropped) {
      metrics.streamDropped.inc();
      logger.warn('dropped a live stream client that did not keep up', { event: { action: 'deployments-stream-client-dropped' }, vigil: { part: 'deployments' } });
    }
    metrics.changed();
  });
  const tracker = createTracker(cfg, metrics, (change) => {
    logChange(logger, change, change.run.source);
    if (hub.clients > 0) {
      const data = {
        action: change.action,
        run: runSummary(change.run),
        ...(change.job ? { job: change.job.name } : {}),
        ...(change.step ? { step: change.step.name } : {}),
        ...(change.log ? { log: change.log } : {}),
      };
      hub.publish('change', data, { project: change.run.project, deployment: change.run.id });
    }
  }, () => ctx.now());
  const deliveries = createDeliveryCache(cfg.github.delivery_cache_size);
  const journal = createJournal(join(ctx.dataDir, 'deployments'));
  let flushTimer: NodeJS.Timeout | undefined;
  let withdraw = (): void => undefined;
  let flushing: Promise<void> = Promise.resolve();

  const count = (source: WebhookSource, event: string, result: WebhookResult, n = 1): void => {
    metrics.requests.inc({ source, event, result }, n);
    metrics.changed();
  };
  /** Runs one step of a request; a client error (HttpError) it throws is counted under `result`. */
  const step = async <T>(source: WebhookSource, event: string, result: WebhookResult, run: () => T | Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof HttpError) count(source, event, result);
      throw err;
    }
  };


  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      let batch: RunRecord[] = [];
      try {
        batch = tracker.takeDirty();
        await journal.append(batch);
        batch = [];
        if (journal.appended > cfg.history.segment_size) await journal.compact(tracker.all());
      } catch (err) {
        // Runs whose lines were not written go out again with the next flush.
        tracker.markDirty(batch);
        logger.error('cannot write the deployment history journal', { ...errorFields(err), event: { dataset: DATASET, action: 'journal-write-failed' } });
      }
    });
    return flushing;
  };

  /** deployments.github.projects, else repository.name when it follows the events API's rule, else "other". */
  const project = (repo: { name: string; full_name?: string | null | undefined }): string => {
    const mapped = (repo.full_name ? cfg.github.projects[repo.full_name] : undefined) ?? cfg.github.projects[repo.name];
    if (mapped !== undefined) return mapped;
    if (PROJECT_NAME.test(repo.name)) return repo.name;
    logger.warn(`GitHub repository name is not a valid project label; counted as project="${INVALID_PROJECT_LABEL}"`, {
      event: { dataset: DATASET, action: 'deployments-project-name-invalid' },
      vigil: { part: 'deployments', repository: { name: repo.name.slice(0, 200), length: repo.name.length }, rule: PROJECT_NAME_RULE },
    });
    return INVALID_PROJECT_LABEL;
  };

  /** Reads, authenticates, validates and applies one GitHub delivery; rejected ones change nothing. */
  const github: Route['handler'] = async (req, res) => {
    const name = header(req.raw, 'x-github-event') ?? '';
    const event = isGithubEvent(name) ? name : 'other';
    const reject = (result: WebhookResult, err: HttpError): never => {
      count('github', event, result);
      throw err;
    };
    const secret = secrets.github;
    if (!secret && !cfg.github.allow_unsigned) {
      req.raw.resume();
      reject('unconfigured', new HttpError(503, 'no webhook secret is configured: set GITHUB_WEBHOOK_SECRET or deployments.github.secret_file'));
    }
    const form = isFormType(header(req.raw, 'content-type'));
    if (!form) await step('github', event, 'malformed', () => requireJson(req.raw));
    const body = await step('github', event, 'too_large', () => readBody(req.raw, cfg.body_limit));
    if (secret) {
      const signature = header(req.raw, 'x-hub-signature-256');
      if (signature === undefined) {
        const sha1 = header(req.raw, 'x-hub-signature') !== undefined;
        reject('unauthorized', new HttpError(401, sha1 ? 'SHA-1 signatures (X-Hub-Signature) are refused; send X-Hub-Signature-256' : 'missing X-Hub-Signature-256 header'));
      }
      if (!(await verifyGithubSignature(secret, body, signature))) reject('unauthorized', new HttpError(401, 'X-Hub-Signature-256 does not match the body'));
    }
    if (name === '') reject('malformed', new HttpError(400, 'missing X-GitHub-Event header'));
    const delivery = header(req.raw, 'x-github-delivery');
    if (delivery !== undefined && deliveries.has(delivery)) {
      count('github', event, 'duplicate');
      sendJson(res, 200, { status: 'duplicate', delivery });
      return;
    }
    const payload = await step('github', event, 'malformed', () => {
      // GitHub's other content type: the JSON in the form field "payload" (the signature covers the form).
      if (!form) return parseJson(body);
      const field = new URLSearchParams(body.toString('utf8')).get('payload');
      if (field === null) throw new HttpError(400, 'malformed form: no "payload" field');
      return parseJson(Buffer.from(field, 'utf8'));
    });
    if (!isGithubEvent(name)) {
      if (delivery !== undefined) deliveries.add(delivery);
      count('github', event, 'ignored');
      sendJson(res, 202, { status: 'ignored', event: name });
      return;
    }
    const outcome = await step('github', event, 'invalid', () => applyGithubEvent({ tracker, project }, name, payload));
    if (delivery !== undefined) deliveries.add(delivery);
    if (outcome === 'pong') {
      count('github', event, 'accepted');
      sendJson(res, 200, { status: 'pong' });
      return;
    }
    count('github', event, outcome);
    sendJson(res, 202, { status: outcome });
  };

  /** Pipeline events for CI other than GitHub: one event or a batch, all valid or nothing applied. */
  const events: Route['handler'] = async (req, res) => {
    const reject = (result: WebhookResult, err: HttpError): never => {
      count('api', 'unknown', result);
      throw err;
    };
    const token = secrets.token;
    if (!token) {
      req.raw.resume();
      reject('unconfigured', new HttpError(503, 'no API token is configured: set VIGIL_API_TOKEN or deployments.api.token_file'));
    } else {
      const auth = header(req.raw, 'authorization') ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (!m || !token.matches(m[1] as string)) {
        req.raw.resume();
        res.setHeader('www-authenticate', 'Bearer realm="vigil"');
        reject('unauthorized', new HttpError(401, m ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <VIGIL_API_TOKEN>'));
      }
    }
    await step('api', 'unknown', 'malformed', () => requireJson(req.raw));
    const body = await step('api', 'unknown', 'too_large', () => readBody(req.raw, cfg.body_limit));
    const parsed = await step('api', 'unknown', 'malformed', () => parseJson(body));
    const valid = await step('api', 'unknown', 'invalid', () => validateEvents(parsed, cfg.api.max_batch));
    let accepted = 0;
    let duplicates = 0;
    const now = (): string => new Date(ctx.now()).toISOString();
    for (const e of valid.events) {
      const outcome = applyPipelineEvent(tracker, e, now);
      if (outcome === 'accepted') accepted++;
      else duplicates++;
      count('api', e.type, outcome);
    }
    if (valid.ignored.length > 0) count('api', 'unknown', 'ignored', valid.ignored.length);
    sendJson(res, 202, { accepted, duplicates, ignored: valid.ignored.length });
  };

  const routes: Route[] = [
    { method: 'POST', path: '/webhooks/github', handler: github },
    { method: 'POST', path: '/api/v1/deployments/events', handler: events },
    {
      method: 'GET',
      path: '/api/v1/deployments',
      handler: (req, res) => {
        const limitText = req.query.get('limit');
        const limit = limitText === null ? 20 : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
          throw new HttpError(400, `limit: expected an integer from 1 to ${MAX_LIST}, got ${JSON.stringify(limitText)}`);
        }
        const projectName = req.query.get('project') || undefined;
        const runs = tracker.recent(projectName, limit).map((run) => {
          const full = publicRun(run) as Record<string, unknown>;
          delete full.logs;
          return full;
        });
        sendJson(res, 200, { runs });
      },
    },
    { method: 'GET', path: '/api/v1/deployments/stream', handler: (req, res) => hub.attach(req.raw, res, streamFilter(req.query, ['project', 'deployment'])) },
    {
      method: 'GET',
      path: '/api/v1/deployments/:id',
      handler: (req, res) => {
        const run = tracker.get(req.params.id ?? '');
        if (!run) throw new HttpError(404, `no deployment run ${JSON.stringify(req.params.id)}`);
        sendJson(res, 200, publicRun(run));
      },
    },
  ];

  const announceSecrets = (): void => {
    if (secrets.github) {
      logger.info('GitHub webhooks accepted when signed', { event: { action: 'deployments-webhook-secret' }, vigil: { part: 'deployments', secret_origin: secrets.github.origin } });
    } else if (cfg.github.allow_unsigned) {
      logger.warn('no GitHub webhook secret: unsigned deliveries are accepted because deployments.github.allow_unsigned is true', {
        event: { action: 'deployments-webhook-unsigned' },
        vigil: { part: 'deployments' },
      });
    } else {
      logger.warn('no GitHub webhook secret (GITHUB_WEBHOOK_SECRET or deployments.github.secret_file): POST /webhooks/github refuses every delivery', {
        event: { action: 'deployments-webhook-disabled' },
        vigil: { part: 'deployments' },
      });
    }
    if (!secrets.token) {
      logger.warn('no API token (VIGIL_API_TOKEN or deployments.api.token_file): POST /api/v1/deployments/events refuses every request', {
        event: { action: 'deployments-api-disabled' },
        vigil: { part: 'deployments' },
      });
    }
  };

  const schedule = (): void => {
    flushTimer = setInterval(() => void flush(), cfg.history.flush_interval);
    flushTimer.unref();
  };

  return {
    name: 'deployments',
    routes: () => routes,
    async start() {
      secrets = await loadSecrets(cfg, ctx);
      const { runs, skipped } = await journal.load(cfg.history.max_runs);
      tracker.restore(runs);
      if (skipped > 0) {
        logger.warn('skipped unreadable lines of the deployment history journal', { event: { action: 'journal-lines-skipped' }, vigil: { part: 'deployments', skipped } });
      }
      announceSecrets();
      schedule();
      withdraw = ctx.services?.provide(DEPLOYMENTS_SERVICE, deploymentsService(tracker)) ?? withdraw;
    },
    async reload(nextCfg) {
      const nextSecrets = await loadSecrets(nextCfg, ctx);
      if (changed(cfg.metrics, nextCfg.metrics)) {
        logger.warn('deployments.metrics buckets take effect on restart; label limits apply now', { event: { action: 'deployments-buckets-unchanged' }, vigil: { part: 'deployments' } });
      }
      cfg = nextCfg;
      secrets = nextSecrets;
      tracker.configure(cfg);
      deliveries.resize(cfg.github.delivery_cache_size);
      hub.configure(streamOptions(cfg.stream));
      clearInterval(flushTimer);
      schedule();
      announceSecrets();
    },
    async stop() {
      withdraw();
      clearInterval(flushTimer);
      hub.close();
      await flush();
    },
    metrics: () => metrics.render(() => tracker.refreshGauges()),
  };
}

export const deploymentsPart = definePart({
  section: 'deployments',
  schema: deploymentsConfigSchema,
  dataset: DATASET,
  families: DEPLOYMENT_FAMILIES,
  create: createDeploymentsPart,
});
