import { z } from 'zod';
import { parseOr422 } from '../../core/http-validation';
import type { ItemStatus } from './model';
import type { Outcome, RunHistory, RunRef } from './run-history';

/** The webhook events this exporter reads; every other event is acknowledged and ignored. */
export const GITHUB_EVENTS = ['workflow_run', 'workflow_job', 'deployment', 'deployment_status', 'ping'] as const;
export type GithubEvent = (typeof GITHUB_EVENTS)[number];

export function isGithubEvent(name: string): name is GithubEvent {
  return (GITHUB_EVENTS as readonly string[]).includes(name);
}

// Only the fields used are checked; GitHub adds fields over time, so unknown keys pass.
const str = z.string();
const optStr = z.string().nullish();
const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const repository = z.object({ name: str.min(1), full_name: optStr });
const user = z.object({ login: optStr }).nullish();

const workflowRunPayload = z.object({
  action: str,
  repository,
  workflow: z.object({ name: optStr }).nullish(),
  workflow_run: z.object({
    id,
    name: optStr,
    run_attempt: z.number().int().positive().default(1),
    status: optStr,
    conclusion: optStr,
    created_at: optStr,
    run_started_at: optStr,
    updated_at: optStr,
    head_branch: optStr,
    head_sha: optStr,
    head_commit: z.object({ timestamp: optStr }).nullish(),
    html_url: optStr,
    actor: user,
    triggering_actor: user,
  }),
  sender: user,
});

const step = z.object({
  name: str.min(1),
  number: z.number().int().nullish(),
  status: str,
  conclusion: optStr,
  started_at: optStr,
  completed_at: optStr,
});

const workflowJobPayload = z.object({
  action: str,
  repository,
  workflow_job: z.object({
    id,
    run_id: id,
    run_attempt: z.number().int().positive().default(1),
    name: str.min(1),
    status: optStr,
    conclusion: optStr,
    created_at: optStr,
    started_at: optStr,
    completed_at: optStr,
    head_branch: optStr,
    head_sha: optStr,
    workflow_name: optStr,
    runner_name: optStr,
    html_url: optStr,
    steps: z.array(step).default([]),
  }),
  sender: user,
});

const deployment = z.object({
  id,
  sha: optStr,
  ref: optStr,
  task: optStr,
  environment: optStr,
  created_at: optStr,
  updated_at: optStr,
  creator: user,
});

const deploymentPayload = z.object({ action: str, repository, deployment, sender: user });

const deploymentStatusPayload = z.object({
  action: str,
  repository,
  deployment,
  deployment_status: z.object({
    id,
    state: str.min(1),
    environment: optStr,
    created_at: optStr,
    updated_at: optStr,
    target_url: optStr,
    log_url: optStr,
    creator: user,
  }),
  sender: user,
});

/** GitHub's statuses (requested, waiting, pending, queued, in_progress, completed) in three steps. */
function itemStatus(status: string | null | undefined, action: string): ItemStatus {
  const s = status ?? action;
  if (s === 'completed') return 'completed';
  if (s === 'in_progress') return 'in_progress';
  return 'queued';
}

const DEPLOYMENT_STATES: Record<string, ItemStatus> = {
  pending: 'queued',
  queued: 'queued',
  waiting: 'queued',
  in_progress: 'in_progress',
  success: 'completed',
  failure: 'completed',
  error: 'completed',
  inactive: 'completed',
};

export interface GithubContext {
  readonly history: RunHistory;
  /** Repository to project: config mapping by full name, then by name, else the name. */
  readonly project: (repo: { name: string; full_name?: string | null | undefined }) => string;
}

/** Applies one verified delivery; `ping` and unknown actions change nothing. */
export function applyGithubEvent(ctx: GithubContext, event: GithubEvent, payload: unknown): Outcome | 'pong' {
  const { history } = ctx;
  switch (event) {
    case 'ping':
      return 'pong';
    case 'workflow_run': {
      const p = parseOr422(workflowRunPayload, payload);
      const r = p.workflow_run;
      const status = itemStatus(r.status, p.action);
      const workflow = r.name || p.workflow?.name || 'unknown';
      return history.applyRun(
        {
          id: `gh-${r.id}-${r.run_attempt}`,
          source: 'github',
          kind: 'workflow_run',
          project: ctx.project(p.repository),
          workflow,
          run_id: r.id,
          run_attempt: r.run_attempt,
          status,
          conclusion: status === 'completed' ? (r.conclusion ?? 'unknown') : null,
          created_at: r.created_at,
          started_at: r.run_started_at ?? r.created_at,
          finished_at: status === 'completed' ? r.updated_at : null,
          branch: r.head_branch,
          commit: r.head_sha,
          commit_timestamp: r.head_commit?.timestamp,
          actor: r.triggering_actor?.login ?? r.actor?.login ?? p.sender?.login,
          html_url: r.html_url,
        },
        `workflow_run.${p.action}`,
      ).outcome;
    }
    case 'workflow_job': {
      const p = parseOr422(workflowJobPayload, payload);
      const j = p.workflow_job;
      const runKey = `gh-${j.run_id}-${j.run_attempt}`;
      const ref: RunRef = {
        id: runKey,
        source: 'github',
        kind: 'workflow_run',
        project: ctx.project(p.repository),
        workflow: j.workflow_name || history.get(runKey)?.workflow || 'unknown',
        run_id: j.run_id,
        run_attempt: j.run_attempt,
      };
      const status = itemStatus(j.status, p.action);
      return history.applyJob(
        ref,
        {
          id: j.id,
          name: j.name,
          status,
          conclusion: status === 'completed' ? (j.conclusion ?? 'unknown') : null,
          created_at: j.created_at,
          started_at: j.started_at,
          finished_at: status === 'completed' ? j.completed_at : null,
          runner: j.runner_name,
          html_url: j.html_url,
          steps: j.steps.map((s) => {
            const st = itemStatus(s.status, '');
            return {
              name: s.name,
              number: s.number ?? null,
              status: st,
              conclusion: st === 'completed' ? (s.conclusion ?? 'unknown') : null,
              started_at: s.started_at,
              finished_at: st === 'completed' ? s.completed_at : null,
            };
          }),
        },
        `workflow_job.${p.action}`,
      ).outcome;
    }
    case 'deployment':
    case 'deployment_status': {
      const p = event === 'deployment' ? parseOr422(deploymentPayload, payload) : parseOr422(deploymentStatusPayload, payload);
      const d = p.deployment;
      const ds = event === 'deployment_status' ? (p as z.output<typeof deploymentStatusPayload>).deployment_status : undefined;
      const state = ds?.state ?? 'pending';
      const status = DEPLOYMENT_STATES[state] ?? 'queued';
      return history.applyRun(
        {
          id: `ghd-${d.id}`,
          source: 'github',
          kind: 'deployment',
          project: ctx.project(p.repository),
          workflow: d.task || 'deploy',
          run_id: d.id,
          run_attempt: 1,
          environment: ds?.environment ?? d.environment ?? 'unknown',
          status,
          conclusion: status === 'completed' ? state : null,
          created_at: d.created_at,
          started_at: d.created_at,
          finished_at: status === 'completed' ? (ds?.created_at ?? ds?.updated_at) : null,
          branch: d.ref,
          commit: d.sha,
          actor: ds?.creator?.login ?? d.creator?.login ?? p.sender?.login,
          html_url: ds?.log_url || ds?.target_url || null,
        },
        `${event}.${p.action}`,
      ).outcome;
    }
  }
}
