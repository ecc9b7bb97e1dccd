import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { byName, defineFamilies, promOptions } from '../../core/exposition';
import type { DeploymentsConfig } from './config';

/** Every family of the part, declared once; the registry below is built from these. */
export const DEPLOYMENT_FAMILIES = defineFamilies([
  { name: 'deployment_workflow_runs_total', type: 'counter', help: 'Completed workflow runs (GitHub Actions workflow_run and pipeline deployments), each counted once.', labels: ['project', 'workflow', 'conclusion'] },
  { name: 'deployment_workflow_run_duration_seconds', type: 'histogram', help: 'Duration of completed workflow runs from start to completion.', labels: ['project', 'workflow', 'conclusion'] },
  { name: 'deployment_job_runs_total', type: 'counter', help: 'Completed jobs of workflow runs, each counted once.', labels: ['project', 'workflow', 'job_name', 'conclusion'] },
  { name: 'deployment_job_duration_seconds', type: 'histogram', help: 'Duration of completed jobs from start to completion.', labels: ['project', 'workflow', 'job_name', 'conclusion'] },
  { name: 'deployment_job_queue_seconds', type: 'histogram', help: 'Time jobs waited for a runner (started_at - created_at).', labels: ['project', 'workflow', 'job_name'] },
  { name: 'deployment_step_duration_seconds', type: 'histogram', help: 'Duration of completed steps; step names past the per-job limit are counted as step="other".', labels: ['project', 'workflow', 'job_name', 'step', 'conclusion'] },
  { name: 'deployments_in_progress', type: 'gauge', help: 'Workflow runs and pipeline deployments queued or in progress.', labels: ['project', 'workflow'] },
  { name: 'deployment_last_run_timestamp_seconds', type: 'gauge', help: 'Completion time of the latest completed run, as a Unix timestamp.', labels: ['project', 'workflow', 'conclusion'] },
  { name: 'deployments_total', type: 'counter', help: 'Deployments that reached a final status (GitHub deployment_status and the pipeline events API).', labels: ['project', 'environment', 'status'] },
  { name: 'deployment_lead_time_seconds', type: 'histogram', help: 'Lead time for changes: from the head commit (or pipeline start) to a successful completion.', labels: ['project', 'workflow'] },
  { name: 'vigil_webhook_requests_total', type: 'counter', help: 'Deployment events received, by source, event and result.', labels: ['source', 'event', 'result'] },
  { name: 'vigil_deployments_stream_clients', type: 'gauge', help: 'Clients connected to the deployments live stream.', labels: [] },
  { name: 'vigil_deployments_stream_dropped_clients_total', type: 'counter', help: 'Live stream clients disconnected because they did not keep up.', labels: [] },
]);
const F = byName(DEPLOYMENT_FAMILIES);

export type WebhookSource = 'github' | 'api';
export type WebhookResult = 'accepted' | 'duplicate' | 'ignored' | 'unauthorized' | 'unconfigured' | 'malformed' | 'invalid' | 'too_large';

/** The deployments exporter's own registry (never the global one) with a cached exposition. */
export interface DeploymentMetrics {
  readonly registry: Registry;
  readonly workflowRuns: Counter<'project' | 'workflow' | 'conclusion'>;
  readonly workflowRunDuration: Histogram<'project' | 'workflow' | 'conclusion'>;
  readonly jobRuns: Counter<'project' | 'workflow' | 'job_name' | 'conclusion'>;
  readonly jobDuration: Histogram<'project' | 'workflow' | 'job_name' | 'conclusion'>;
  readonly jobQueue: Histogram<'project' | 'workflow' | 'job_name'>;
  readonly stepDuration: Histogram<'project' | 'workflow' | 'job_name' | 'step' | 'conclusion'>;
  readonly inProgress: Gauge<'project' | 'workflow'>;
  readonly lastRun: Gauge<'project' | 'workflow' | 'conclusion'>;
  readonly deployments: Counter<'project' | 'environment' | 'status'>;
  readonly leadTime: Histogram<'project' | 'workflow'>;
  readonly requests: Counter<'source' | 'event' | 'result'>;
  readonly streamClients: Gauge;
  readonly streamDropped: Counter;
  /** Marks the cached text stale; call after every change. */
  changed(): void;
  /** The exposition text, rendered again only after a change. */
  render(beforeRender: () => void): Promise<string>;
}

/** `now` is the part's clock: the cached text is rendered again at least once a minute of it. */
export function createDeploymentMetrics(cfg: DeploymentsConfig['metrics'], now: () => number = Date.now): DeploymentMetrics {
  const registry = new Registry();
  const registers = [registry];
  const workflowRuns = new Counter({ ...promOptions(F.deployment_workflow_runs_total), registers });
  const workflowRunDuration = new Histogram({ ...promOptions(F.deployment_workflow_run_duration_seconds), buckets: cfg.run_duration_buckets, registers });
  const jobRuns = new Counter({ ...promOptions(F.deployment_job_runs_total), registers });
  const jobDuration = new Histogram({ ...promOptions(F.deployment_job_duration_seconds), buckets: cfg.job_duration_buckets, registers });
  const jobQueue = new Histogram({ ...promOptions(F.deployment_job_queue_seconds), buckets: cfg.queue_buckets, registers });
  const stepDuration = new Histogram({ ...promOptions(F.deployment_step_duration_seconds), buckets: cfg.step_duration_buckets, registers });
  const inProgress = new Gauge({ ...promOptions(F.deployments_in_progress), registers });
  const lastRun = new Gauge({ ...promOptions(F.deployment_last_run_timestamp_seconds), registers });
  const deployments = new Counter({ ...promOptions(F.deployments_total), registers });
  const leadTime = new Histogram({ ...promOptions(F.deployment_lead_time_seconds), buckets: cfg.lead_time_buckets, registers });
  const requests = new Counter({ ...promOptions(F.vigil_webhook_requests_total), registers });
  const streamClients = new Gauge({ ...promOptions(F.vigil_deployments_stream_clients), registers });
  const streamDropped = new Counter({ ...promOptions(F.vigil_deployments_stream_dropped_clients_total), registers });
  let version = 0;
  let cached: { version: number; at: number; text: string } | undefined;
  return {
    registry,
    workflowRuns,
    workflowRunDuration,
    jobRuns,
    jobDuration,
    jobQueue,
    stepDuration,
    inProgress,
    lastRun,
    deployments,
    leadTime,
    requests,
    streamClients,
    streamDropped,
    changed() {
      version++;
    },
    async render(beforeRender) {
      // Rendered again after a change, and at least once a minute (runs in progress can go stale).
      if (cached?.version === version && now() - cached.at < 60_000) return cached.text;
      const at = version;
      beforeRender();
      const text = await registry.metrics();
      // A change during the await leaves the cache stale for the next scrape.
      cached = { version: at, at: now(), text };
      return text;
    },
  };
}
