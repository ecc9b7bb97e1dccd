import { HttpError, parseJson, readBody, requireJson, sendJson, type Route } from '../../core/http-server';
import type { DeploymentsConfig } from './config';
import { applyPipelineEvent, validateEvents } from './events-api';
import { header } from './github-route';
import type { RequestCounter } from './request-counter';
import type { RunHistory } from './run-history';

export interface EventsRouteDeps {
  readonly config: () => DeploymentsConfig;
  /** Checks a bearer token; undefined when no token is configured. */
  readonly token: () => ((given: string) => boolean) | undefined;
  readonly history: RunHistory;
  readonly requests: RequestCounter;
  readonly now: () => number;
}

/** POST /api/v1/deployments/events: pipeline events for CI other than GitHub, one or a batch, all valid or none applied. */
export function pipelineEventsHandler(deps: EventsRouteDeps): Route['handler'] {
  const { requests } = deps;
  return async (req, res) => {
    const cfg = deps.config();
    const matches = deps.token();
    if (!matches) {
      req.raw.resume();
      requests.reject('api', 'unknown', 'unconfigured', new HttpError(503, 'no API token is configured: set VIGIL_API_TOKEN or deployments.api.token_file'));
    } else {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header(req.raw, 'authorization') ?? '');
      if (!m || !matches(m[1] as string)) {
        req.raw.resume();
        res.setHeader('www-authenticate', 'Bearer realm="vigil"');
        requests.reject('api', 'unknown', 'unauthorized', new HttpError(401, m ? 'invalid bearer token' : 'missing bearer token: send Authorization: Bearer <VIGIL_API_TOKEN>'));
      }
    }
    await requests.phase('api', 'unknown', 'malformed', () => requireJson(req.raw));
    const body = await requests.phase('api', 'unknown', 'too_large', () => readBody(req.raw, cfg.body_limit));
    const parsed = await requests.phase('api', 'unknown', 'malformed', () => parseJson(body));
    const valid = await requests.phase('api', 'unknown', 'invalid', () => validateEvents(parsed, cfg.api.max_batch));
    let accepted = 0;
    let duplicates = 0;
    const now = (): string => new Date(deps.now()).toISOString();
    for (const e of valid.events) {
      const outcome = applyPipelineEvent(deps.history, e, now);
      if (outcome === 'accepted') accepted++;
      else duplicates++;
      requests.count('api', e.type, outcome);
    }
    if (valid.ignored.length > 0) requests.count('api', 'unknown', 'ignored', valid.ignored.length);
    sendJson(res, 202, { accepted, duplicates, ignored: valid.ignored.length });
  };
}
