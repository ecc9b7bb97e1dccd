import type { IncomingMessage } from 'node:http';
import { HttpError, isFormType, parseJson, readBody, requireJson, sendJson, type Route } from '../../core/http-server';
import type { Logger } from '../../core/logger';
import type { Secret } from '../../core/secrets';
import type { DeploymentsConfig } from './config';
import { DATASET } from './dataset';
import type { DeliveryCache } from './delivery-cache';
import { applyGithubEvent, isGithubEvent } from './github';
import { INVALID_PROJECT_LABEL, PROJECT_NAME, PROJECT_NAME_RULE } from './project-name';
import type { RequestCounter } from './request-counter';
import type { RunHistory } from './run-history';
import { verifyGithubSignature } from './webhook-signature';

export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export interface GithubRouteDeps {
  readonly config: () => DeploymentsConfig;
  /** The webhook secret; undefined when none is configured. */
  readonly secret: () => Secret | undefined;
  readonly deliveries: DeliveryCache;
  readonly history: RunHistory;
  readonly requests: RequestCounter;
  readonly logger: Logger;
}

/** deployments.github.projects, else repository.name when it follows the events API's rule, else "other". */
export function githubProject(cfg: DeploymentsConfig, logger: Logger, repo: { name: string; full_name?: string | null | undefined }): string {
  const mapped = (repo.full_name ? cfg.github.projects[repo.full_name] : undefined) ?? cfg.github.projects[repo.name];
  if (mapped !== undefined) return mapped;
  if (PROJECT_NAME.test(repo.name)) return repo.name;
  logger.warn(`GitHub repository name is not a valid project label; counted as project="${INVALID_PROJECT_LABEL}"`, {
    event: { dataset: DATASET, action: 'deployments-project-name-invalid' },
    vigil: { part: 'deployments', repository: { name: repo.name.slice(0, 200), length: repo.name.length }, rule: PROJECT_NAME_RULE },
  });
  return INVALID_PROJECT_LABEL;
}

/** GitHub's other content type: the JSON in the form field "payload" (the signature covers the form). */
function payloadOf(body: Buffer, form: boolean): unknown {
  if (!form) return parseJson(body);
  const field = new URLSearchParams(body.toString('utf8')).get('payload');
  if (field === null) throw new HttpError(400, 'malformed form: no "payload" field');
  return parseJson(Buffer.from(field, 'utf8'));
}

/** POST /webhooks/github: reads, authenticates, validates and applies one delivery; a rejected one changes nothing. */
export function githubWebhookHandler(deps: GithubRouteDeps): Route['handler'] {
  const { requests, deliveries } = deps;
  return async (req, res) => {
    const cfg = deps.config();
    const name = header(req.raw, 'x-github-event') ?? '';
    const event = isGithubEvent(name) ? name : 'other';
    const secret = deps.secret();
    if (!secret && !cfg.github.allow_unsigned) {
      req.raw.resume();
      requests.reject('github', event, 'unconfigured', new HttpError(503, 'no webhook secret is configured: set GITHUB_WEBHOOK_SECRET or deployments.github.secret_file'));
    }
    const form = isFormType(header(req.raw, 'content-type'));
    if (!form) await requests.phase('github', event, 'malformed', () => requireJson(req.raw));
    const body = await requests.phase('github', event, 'too_large', () => readBody(req.raw, cfg.body_limit));
    if (secret) {
      const signature = header(req.raw, 'x-hub-signature-256');
      if (signature === undefined) {
        const sha1 = header(req.raw, 'x-hub-signature') !== undefined;
        requests.reject('github', event, 'unauthorized', new HttpError(401, sha1 ? 'SHA-1 signatures (X-Hub-Signature) are refused; send X-Hub-Signature-256' : 'missing X-Hub-Signature-256 header'));
      }
      if (!(await verifyGithubSignature(secret, body, signature))) requests.reject('github', event, 'unauthorized', new HttpError(401, 'X-Hub-Signature-256 does not match the body'));
    }
    if (name === '') requests.reject('github', event, 'malformed', new HttpError(400, 'missing X-GitHub-Event header'));
    const delivery = header(req.raw, 'x-github-delivery');
    if (delivery !== undefined && deliveries.has(delivery)) {
      requests.count('github', event, 'duplicate');
      sendJson(res, 200, { status: 'duplicate', delivery });
      return;
    }
    const payload = await requests.phase('github', event, 'malformed', () => payloadOf(body, form));
    if (!isGithubEvent(name)) {
      if (delivery !== undefined) deliveries.add(delivery);
      requests.count('github', event, 'ignored');
      sendJson(res, 202, { status: 'ignored', event: name });
      return;
    }
    const project = (repo: { name: string; full_name?: string | null | undefined }): string => githubProject(cfg, deps.logger, repo);
    const outcome = await requests.phase('github', event, 'invalid', () => applyGithubEvent({ history: deps.history, project }, name, payload));
    if (delivery !== undefined) deliveries.add(delivery);
    if (outcome === 'pong') {
      requests.count('github', event, 'accepted');
      sendJson(res, 200, { status: 'pong' });
      return;
    }
    requests.count('github', event, outcome);
    sendJson(res, 202, { status: outcome });
  };
}
