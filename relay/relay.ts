import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { HttpError, parseJson, readBody, requireJson, sendJson, type Route } from '../core/http-server';
import { errorFields } from '../core/logger';
import type { Part, PartContext } from '../core/part';
import { tokenChecker } from '../core/bearer';
import { readSecret } from '../core/secrets';
import { createComposer, loadTemplates, type Composer } from './compose';
import type { RelayConfig, TargetConfig } from './config';
import { realClock, startDispatcher, waitForSlot, type Clock, type Dispatcher } from './dispatcher';
import { createLimiter, type Limiter } from './limiter';
import { LIMITER_FILE, loadSendTimes, sendTimesWriter } from './limiter-store';
import { DATASET } from './dataset';
import { requestRecord } from './delivery-log';
import { createRelayMetrics, type RelayMetrics } from './metrics';
import { parsePayload } from './payload';
import { openQueue, type NotificationQueue } from './queue';
import { postToRobot, type RobotRequest } from './robots/robot';
import { targetSecret } from './target-secret';

/** Where the queues live below the data directory: one folder per target. */
export const QUEUE_DIR = 'relay';

export type Relay = Part<RelayConfig>;

export interface RelayOptions {
  readonly clock?: Clock;
}

/** A target as it runs: the queue and limiter outlive reloads; the composer and dispatcher do not. */
interface Running {
  readonly queue: NotificationQueue;
  readonly limiter: Limiter;
  config: TargetConfig;
  dispatcher?: Dispatcher;
}

interface Prepared {
  readonly cfg: RelayConfig;
  readonly token?: (given: string) => boolean;
  readonly composers: ReadonlyMap<string, Composer>;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The host of a robot URL, for logs: the URL itself carries the robot's token. */
function robotHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/**
 * The alert relay: Alertmanager webhooks on POST /alerts/{target} go to a durable queue per target,
 * and from there, within the robot's rate limit, to DingTalk or WeCom group robots.
 */
export function createRelay(initial: RelayConfig, ctx: PartContext, opts: RelayOptions = {}): Relay {
  const { logger } = ctx;
  const clock = opts.clock ?? { now: () => ctx.now(), sleep: (ms, signal) => realClock.sleep(ms, signal) };
  const log = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void => {
    const event = (fields.event ?? {}) as Record<string, unknown>;
    logger.log(level, message, { ...fields, event: { ...event, dataset: DATASET }, vigil: { part: 'relay', ...(fields.vigil as object) } });
  };
  let current: Prepared | undefined;
  const running = new Map<string, Running>();
  const metrics: RelayMetrics = createRelayMetrics({
    *queues() {
      for (const [target, r] of running) yield { target, length: r.queue.length(), oldest: r.queue.oldestReceivedAt() };
    },
    now: () => clock.now(),
  });

  /** Everything a configuration needs that can fail (secrets, templates), before anything changes. */
  const prepare = async (cfg: RelayConfig): Promise<Prepared> => {
    const tokenSecret = await readSecret(ctx.env, { variable: 'VIGIL_RELAY_TOKEN', file: cfg.token_file, fileKey: 'relay.token_file' });
    const templates = loadTemplates(cfg);
    const composers = new Map<string, Composer>();
    for (const [name, target] of Object.entries(cfg.targets)) {
      const secret = await targetSecret(name, target);
      composers.set(
        name,
        createComposer(cfg, target, secret, templates, (err) => log('error', `relay target ${name}: the message template failed; the built-in one was used`, errorFields(err))),
      );
    }
    return { cfg, composers, ...(tokenSecret ? { token: tokenChecker(tokenSecret) } : {}) };
  };

  /** The target's limiter, with the request times of the previous run (kept in its queue folder). */
  const openLimiter = (name: string, cfg: RelayConfig): Limiter => {
    const file = join(ctx.dataDir, QUEUE_DIR, name, LIMITER_FILE);
    const now = clock.now();
    const sent = loadSendTimes(file, (reason) => log('warn', `relay target ${name}: ignoring ${file} (${reason}); the rate limit starts from no request`)).map((t) => Math.min(t, now));
    let failed = false;
    const save = sendTimesWriter(file, (err) => {
      if (!failed) log('warn', `relay target ${name}: cannot save the request times to ${file}; a restart forgets them`, errorFields(err));
      failed = true;
    });
    return createLimiter(cfg.rate_limit.messages, cfg.rate_limit.window, { sent, onRecord: save });
  };

  /** The second request of a message (WeCom's mobile mentions), within the rate limit; logged when it fails, not retried. */
  const sendFollowUp = async (name: string, r: Running, req: RobotRequest, timeoutMs: number, signal: AbortSignal): Promise<void> => {
    if (!(await waitForSlot(r.limiter, clock, signal))) return;
    r.limiter.record(clock.now());
    const started = performance.now();
    const outcome = await postToRobot(req, timeoutMs, signal);
    metrics.request(name, outcome.kind, (performance.now() - started) / 1000, false);
    if (outcome.kind !== 'ok') {
      log('warn', `relay target ${name}: the message was delivered but its mention message was not: ${outcome.reason}`, {
        vigil: { target: name },
        url: { domain: robotHost(r.config.url) },
        event: { action: 'relay-mention-failed', outcome: 'failure', reason: outcome.reason },
      });
    }
  };

  const startTarget = (name: string, r: Running, p: Prepared): void => {
    const composer = p.composers.get(name) as Composer;
    r.dispatcher = startDispatcher({
      queue: r.queue,
      limiter: r.limiter,
      clock,
      maxDigest: p.cfg.rate_limit.max_digest,
      backoff: { initialMs: p.cfg.retry.initial, maxMs: p.cfg.retry.max },
      send: async (entries, signal) => {
        const message = composer(
          entries.map((e) => e.payload),
          clock.now(),
        );
        if (signal.aborted) return { kind: 'retry', reason: 'stopping' };
        const outcome = await postToRobot(message.request, p.cfg.request_timeout, signal);
        if (outcome.kind === 'ok' && message.request.followUp) await sendFollowUp(name, r, message.request.followUp, p.cfg.request_timeout, signal);
        return outcome;
      },
      onRequest: (outcome, entries, attempt, seconds) => {
        metrics.request(name, outcome.kind, seconds, entries.length > 1);
        if (outcome.kind === 'ok') metrics.notification(name, 'delivered', entries.length);
        else if (outcome.kind === 'permanent') metrics.notification(name, 'failed', entries.length);
        const record = requestRecord(name, robotHost(r.config.url), outcome, entries, attempt, seconds);
        log(record.level, record.message, record.fields);
      },
      onError: (err) => log('error', `relay target ${name}: cannot read the queue`, errorFields(err)),
    });
  };

  /** Opens queues of new targets and (re)starts every dispatcher with the prepared configuration. */
  const apply = async (p: Prepared): Promise<void> => {
    const opened = new Map<string, NotificationQueue>();
    try {
      for (const name of Object.keys(p.cfg.targets)) {
        if (running.has(name)) continue;
        opened.set(
          name,
          await openQueue({
            dir: join(ctx.dataDir, QUEUE_DIR, name),
            maxBytes: p.cfg.queue.max_bytes,
            segmentBytes: p.cfg.queue.segment_bytes,
            fsyncIntervalMs: p.cfg.queue.fsync_interval,
          }),
        );
      }
    } catch (err) {
      for (const q of opened.values()) q.close();
      throw err;
    }
    await Promise.all([...running.values()].map((r) => r.dispatcher?.stop() ?? Promise.resolve()));
    for (const [name, r] of [...running]) {
      if (p.cfg.targets[name]) continue;
      r.queue.close();
      running.delete(name);
      if (r.queue.length() > 0) log('warn', `relay target ${name} was removed with ${r.queue.length()} notifications queued; they are sent if it comes back`);
    }
    for (const [name, target] of Object.entries(p.cfg.targets)) {
      let r = running.get(name);
      if (!r) {
        r = { queue: opened.get(name) as NotificationQueue, limiter: openLimiter(name, p.cfg), config: target };
        running.set(name, r);
      }
      r.config = target;
      startTarget(name, r, p);
    }
    current = p;
  };

  const receive: Route['handler'] = async (req, res) => {
    const p = current;
    const name = req.params.target ?? '';
    const r = running.get(name);
    if (!p || !r) {
      req.raw.resume();
      throw new HttpError(404, `no relay target ${JSON.stringify(name)}; configured: ${Object.keys(p?.cfg.targets ?? {}).join(', ') || 'none'}`);
    }
    if (p.token) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header(req.raw, 'authorization') ?? '');
      if (!m || !p.token(m[1] as string)) {
        req.raw.resume();
        res.setHeader('www-authenticate', 'Bearer realm="vigil"');
        metrics.notification(name, 'rejected');
        throw new HttpError(401, m ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <VIGIL_RELAY_TOKEN>');
      }
    }
    let parsed;
    try {
      requireJson(req.raw);
      parsed = parsePayload(parseJson(await readBody(req.raw, p.cfg.body_limit)));
    } catch (err) {
      metrics.notification(name, 'rejected');
      throw err;
    }
    if (!parsed.ok) {
      metrics.notification(name, 'rejected');
      throw new HttpError(400, 'not an Alertmanager webhook payload (version 4)', { problems: parsed.problems });
    }
    let queued: boolean;
    try {
      queued = r.queue.push(parsed.payload, clock.now());
    } catch (err) {
      metrics.notification(name, 'refused');
      log('error', `relay target ${name}: cannot write the queue`, { ...errorFields(err), vigil: { target: name }, event: { action: 'relay-notification-refused', outcome: 'failure' } });
      throw new HttpError(503, 'cannot queue the notification (disk error); Alertmanager will send it again');
    }
    if (!queued) {
      metrics.notification(name, 'refused');
      log('error', `relay target ${name}: the queue is full (${p.cfg.queue.max_bytes} bytes); refusing notifications until the robot takes some`, {
        vigil: { target: name },
        event: { action: 'relay-notification-refused', outcome: 'failure', reason: 'queue full' },
      });
      throw new HttpError(503, 'the queue of this target is full; Alertmanager will send it again');
    }
    metrics.notification(name, 'accepted');
    sendJson(res, 202, { status: 'queued', target: name, queued: r.queue.length() });
  };

  const routes: readonly Route[] = [{ method: 'POST', path: '/alerts/:target', handler: receive }];

  return {
    name: 'relay',
    routes: () => routes,
    async start() {
      await apply(await prepare(initial));
      for (const [name, r] of running) {
        log('info', `relay target ${name} (${r.config.type}, ${robotHost(r.config.url)}) ready; ${r.queue.length()} notifications queued`, { event: { action: 'relay-target-ready' } });
      }
    },
    async reload(cfg) {
      await apply(await prepare(cfg));
    },
    async stop() {
      await Promise.all([...running.values()].map((r) => r.dispatcher?.stop() ?? Promise.resolve()));
      for (const r of running.values()) r.queue.close();
      running.clear();
      current = undefined;
    },
    metrics: () => metrics.render(),
  };
}
