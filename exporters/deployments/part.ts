import { join } from 'node:path';
import { createStreamHub, streamOptions } from '../../core/event-stream';
import { errorFields } from '../../core/logger';
import { definePart, type Part, type PartContext } from '../../core/part';
import { tokenChecker } from '../../core/bearer';
import { changed } from '../../core/changed';
import { readSecret, type Secret } from '../../core/secrets';
import { deploymentsConfigSchema, type DeploymentsConfig } from './config';
import { DATASET } from './dataset';
import { createDeliveryCache } from './delivery-cache';
import { logChange } from './event-log';
import { pipelineEventsHandler } from './events-route';
import { githubWebhookHandler } from './github-route';
import { historyRoutes } from './history-routes';
import { createJournal } from './journal';
import { createDeploymentMetrics, DEPLOYMENT_FAMILIES } from './metrics';
import { runSummary, type RunRecord } from './model';
import { createRequestCounter } from './request-counter';
import { createRunCounter } from './run-counter';
import { createRunHistory, type Change } from './run-history';
import { DEPLOYMENTS_SERVICE, deploymentsService } from './service';
import type { StreamHub } from '../../core/event-stream';

interface Secrets {
  readonly github?: Secret;
  readonly token?: { readonly secret: Secret; readonly matches: (given: string) => boolean };
}

async function loadSecrets(cfg: DeploymentsConfig, ctx: PartContext): Promise<Secrets> {
  const github = await readSecret(ctx.env, { variable: 'GITHUB_WEBHOOK_SECRET', file: cfg.github.secret_file, fileKey: 'deployments.github.secret_file' });
  const token = await readSecret(ctx.env, { variable: 'VIGIL_API_TOKEN', file: cfg.api.token_file, fileKey: 'deployments.api.token_file' });
  return { ...(github ? { github } : {}), ...(token ? { token: { secret: token, matches: tokenChecker(token) } } : {}) };
}

/** A change as the live stream sends it (only while someone listens). */
function publishChange(hub: StreamHub, change: Change): void {
  if (hub.clients === 0) return;
  const data = {
    action: change.action,
    run: runSummary(change.run),
    ...(change.job ? { job: change.job.name } : {}),
    ...(change.step ? { step: change.step.name } : {}),
    ...(change.log ? { log: change.log } : {}),
  };
  hub.publish('change', data, { project: change.run.project, deployment: change.run.id });
}

/**
 * Deployment exporter: GitHub webhooks and pipeline events to metrics, ECS events and a run
 * history. The routes (github-route.ts, events-route.ts, history-routes.ts) apply events to the
 * run history (run-history.ts); its changes are counted (run-counter.ts), logged (event-log.ts),
 * streamed and written to the journal (journal.ts).
 */
export function createDeploymentsPart(section: DeploymentsConfig, ctx: PartContext): Part<DeploymentsConfig> {
  const { logger } = ctx;
  let cfg = section;
  let secrets: Secrets = {};
  const metrics = createDeploymentMetrics(cfg.metrics, () => ctx.now());
  const hub = createStreamHub(streamOptions(cfg.stream), (clients, dropped) => {
    metrics.streamClients.set(clients);
    if (dropped) {
      metrics.streamDropped.inc();
      logger.warn('dropped a live stream client that did not keep up', { event: { action: 'deployments-stream-client-dropped' }, vigil: { part: 'deployments' } });
    }
    metrics.changed();
  });
  const history = createRunHistory(cfg, () => ctx.now());
  const counter = createRunCounter(metrics, cfg.metrics);
  history.subscribe(counter.count);
  history.subscribe((change) => logChange(logger, change, change.run.source));
  history.subscribe((change) => publishChange(hub, change));
  const requests = createRequestCounter(metrics);
  const deliveries = createDeliveryCache(cfg.github.delivery_cache_size);
  const journal = createJournal(join(ctx.dataDir, 'deployments'));
  let flushTimer: NodeJS.Timeout | undefined;
  let withdraw = (): void => undefined;
  let flushing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      let batch: RunRecord[] = [];
      try {
        batch = history.takeDirty();
        await journal.append(batch);
        batch = [];
        if (journal.appended > cfg.history.segment_size) await journal.compact(history.all());
      } catch (err) {
        // Runs whose lines were not written go out again with the next flush.
        history.markDirty(batch);
        logger.error('cannot write the deployment history journal', { ...errorFields(err), event: { dataset: DATASET, action: 'journal-write-failed' } });
      }
    });
    return flushing;
  };

  const routes = [
    { method: 'POST' as const, path: '/webhooks/github', handler: githubWebhookHandler({ config: () => cfg, secret: () => secrets.github, deliveries, history, requests, logger }) },
    {
      method: 'POST' as const,
      path: '/api/v1/deployments/events',
      handler: pipelineEventsHandler({ config: () => cfg, token: () => secrets.token?.matches, history, requests, now: () => ctx.now() }),
    },
    ...historyRoutes(history, hub),
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
      history.restore(runs);
      metrics.changed();
      if (skipped > 0) {
        logger.warn('skipped unreadable lines of the deployment history journal', { event: { action: 'journal-lines-skipped' }, vigil: { part: 'deployments', skipped } });
      }
      announceSecrets();
      schedule();
      withdraw = ctx.services?.provide(DEPLOYMENTS_SERVICE, deploymentsService(history)) ?? withdraw;
    },
    async reload(nextCfg) {
      const nextSecrets = await loadSecrets(nextCfg, ctx);
      if (changed(cfg.metrics, nextCfg.metrics)) {
        logger.warn('deployments.metrics buckets take effect on restart; label limits apply now', { event: { action: 'deployments-buckets-unchanged' }, vigil: { part: 'deployments' } });
      }
      cfg = nextCfg;
      secrets = nextSecrets;
      history.configure(cfg);
      counter.configure(cfg.metrics);
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
    metrics: () => metrics.render(() => counter.refreshGauges(history.all(), ctx.now() - cfg.history.stale_after)),
  };
}

export const deploymentsPart = definePart({
  section: 'deployments',
  schema: deploymentsConfigSchema,
  dataset: DATASET,
  families: DEPLOYMENT_FAMILIES,
  create: createDeploymentsPart,
});
