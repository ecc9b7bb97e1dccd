import type { Secret } from '../../core/secrets';
import type { TargetConfig } from '../config';
import type { Alert } from '../payload';
import { classifyAnswer, classifyError, type Outcome } from './answer';
import { dingtalkRequest } from './dingtalk';
import { postJson } from './http-post';
import { wecomRequest } from './wecom';

export interface RobotRequest {
  readonly url: string;
  readonly body: string;
  /**
   * A second request sent once this one is delivered, counted by the rate limit like any other: a
   * WeCom text message mentioning mobiles, which its markdown cannot do. Not retried: the alert
   * itself was delivered.
   */
  readonly followUp?: RobotRequest;
}

/** What a message needs from the robot type: mention tokens for the text, and the HTTP request. */
export interface RobotKind {
  mentionTokens(alerts: readonly Alert[]): string[];
  request(title: string, text: string, alerts: readonly Alert[], now: number): RobotRequest;
}

export function robotKind(target: TargetConfig, secret: Secret | undefined): RobotKind {
  return target.type === 'dingtalk' ? dingtalkRequest(target, secret) : wecomRequest(target);
}

/** The configured values plus each alert's value of `label` that matches `pattern`, without repeats. */
export function mentionValues(fixed: readonly string[], label: string | undefined, pattern: RegExp, alerts: readonly Alert[]): string[] {
  const out = new Set(fixed);
  if (label !== undefined) {
    for (const a of alerts) {
      const v = a.labels[label];
      if (v && pattern.test(v)) out.add(v);
    }
  }
  return [...out];
}

export type RobotAnswer = { readonly status: number; readonly body: string; readonly outcome: Outcome } | { readonly error: string; readonly outcome: Outcome };

/** Sends one request and reads the answer; nothing throws: no answer is an `error` with a retry outcome. */
export async function sendToRobot(req: RobotRequest, timeoutMs: number, signal?: AbortSignal): Promise<RobotAnswer> {
  try {
    const { status, body } = await postJson(req.url, req.body, timeoutMs, signal);
    return { status, body, outcome: classifyAnswer(status, body) };
  } catch (err) {
    const outcome = classifyError(err);
    return { error: outcome.kind === 'ok' ? 'unknown' : outcome.reason, outcome };
  }
}

/** The outcome of one request (see sendToRobot). */
export async function postToRobot(req: RobotRequest, timeoutMs: number, signal?: AbortSignal): Promise<Outcome> {
  return (await sendToRobot(req, timeoutMs, signal)).outcome;
}
