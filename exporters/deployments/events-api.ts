import { z } from 'zod';
import { parseOr422, unprocessable } from '../../core/http-validation';
import type { ItemStatus } from './model';
import { PROJECT_NAME, PROJECT_NAME_RULE } from './project-name';
import type { Outcome, RunHistory, RunRef } from './run-history';

/** The pipeline event types (the seeds' notify-dashboard.sh); any other type is acknowledged and ignored. */
export const EVENT_TYPES = ['deployment_started', 'job_started', 'job_completed', 'step_started', 'step_completed', 'deployment_completed', 'log_entry'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
const TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/** The workflow label of pipeline runs that do not name one. */
export const DEFAULT_WORKFLOW = 'pipeline';

const text = (max: number) => z.string().min(1).max(max);
const timestamp = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 timestamp like 2024-05-01T12:00:00Z' });

export const pipelineEventSchema = z
  .strictObject({
    type: z.enum(EVENT_TYPES),
    project: z.string().regex(PROJECT_NAME, PROJECT_NAME_RULE),
    deployment_id: z.union([z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'expected letters, digits, ".", "_", ":" or "-" (at most 200)'), z.number().int().nonnegative()]),
    environment: text(100).optional(),
    workflow: text(200).optional(),
    job: text(200).optional(),
    step: text(200).optional(),
    status: z.enum(['running', 'success', 'failure', 'cancelled']).optional(),
    started_at: timestamp.optional(),
    finished_at: timestamp.optional(),
    timestamp: timestamp.optional(),
    duration_seconds: z.number().nonnegative().max(31_536_000).optional(),
    message: z.string().max(65_536).optional(),
    level: z.enum(['debug', 'info', 'notice', 'warn', 'warning', 'error', 'critical', 'fatal']).optional(),
    branch: text(500).optional(),
    commit: text(100).optional(),
    actor: text(200).optional(),
    url: text(2000).optional(),
  })
  .superRefine((e, ctx) => {
    const needs = (key: 'job' | 'step' | 'status' | 'message', why: string): void => {
      if (e[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required for ${why}` });
    };
    if (e.type.startsWith('job_') || e.type.startsWith('step_')) needs('job', e.type);
    if (e.type.startsWith('step_')) needs('step', e.type);
    if (e.type === 'log_entry') needs('message', e.type);
    if (e.type.endsWith('_completed')) {
      needs('status', e.type);
      if (e.status === 'running') ctx.addIssue({ code: 'custom', path: ['status'], message: `expected success, failure or cancelled for ${e.type}` });
    }
  });
export type PipelineEvent = z.output<typeof pipelineEventSchema>;

/** Validates a body (one event or an array of events) completely before anything is applied. */
export function validateEvents(body: unknown, maxBatch: number): { events: PipelineEvent[]; ignored: string[] } {
  const items = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && body.length > maxBatch) {
    throw unprocessable(`a batch holds at most ${maxBatch} events, got ${body.length}`);
  }
  const events: PipelineEvent[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const prefix: PropertyKey[] = Array.isArray(body) ? [i] : [];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw unprocessable('expected an event object', prefix);
    }
    const type = (item as { type?: unknown }).type;
    if (typeof type === 'string' && !TYPE_SET.has(type)) {
      ignored.push(type);
      continue;
    }
    events.push(parseOr422(pipelineEventSchema, item, prefix));
  }
  return { events, ignored };
}

const statusOf = (s: PipelineEvent['status'], completed: boolean): { status: ItemStatus; conclusion: string | null } =>
  completed ? { status: 'completed', conclusion: s ?? 'success' } : { status: 'in_progress', conclusion: null };

/** Applies one validated event. */
export function applyPipelineEvent(history: RunHistory, e: PipelineEvent, now: () => string): Outcome {
  const deploymentId = String(e.deployment_id);
  const id = `${e.project}:${deploymentId}`;
  const ref: RunRef = {
    id,
    source: 'api',
    kind: 'pipeline',
    project: e.project,
    workflow: e.workflow ?? history.get(id)?.workflow ?? DEFAULT_WORKFLOW,
    run_id: deploymentId,
    run_attempt: 1,
    environment: e.environment ?? null,
  };
  const at = e.timestamp ?? now();
  const completed = e.type.endsWith('_completed');
  const { status, conclusion } = statusOf(e.status, completed);
  switch (e.type) {
    case 'deployment_started':
    case 'deployment_completed':
      return history.applyRun(
        {
          ...ref,
          status,
          conclusion,
          started_at: e.started_at ?? (completed ? null : at),
          finished_at: completed ? (e.finished_at ?? at) : null,
          duration_seconds: e.duration_seconds ?? null,
          branch: e.branch ?? null,
          commit: e.commit ?? null,
          actor: e.actor ?? null,
          html_url: e.url ?? null,
        },
        e.type,
      ).outcome;
    case 'job_started':
    case 'job_completed': {
      const job = e.job as string;
      return history.applyJob(
        ref,
        {
          id: job,
          name: job,
          status,
          conclusion,
          started_at: e.started_at ?? (completed ? null : at),
          finished_at: completed ? (e.finished_at ?? at) : null,
          duration_seconds: e.duration_seconds ?? null,
          html_url: e.url ?? null,
        },
        e.type,
      ).outcome;
    }
    case 'step_started':
    case 'step_completed':
      return history.applyStep(
        ref,
        e.job as string,
        {
          name: e.step as string,
          status,
          conclusion,
          started_at: e.started_at ?? (completed ? null : at),
          finished_at: completed ? (e.finished_at ?? at) : null,
          duration_seconds: e.duration_seconds ?? null,
        },
        e.type,
      ).outcome;
    case 'log_entry':
      history.applyLog(ref, { timestamp: at, level: e.level ?? 'info', message: e.message as string, job: e.job ?? null, step: e.step ?? null }, e.type);
      return 'accepted';
  }
}
