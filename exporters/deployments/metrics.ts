import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeploymentsConfig } from './config';

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

export function createDeploymentMetrics(cfg: DeploymentsConfig['metrics']): DeploymentMetrics {
  const registry = new Registry();
  const registers = [registry];
  const pw = ['project', 'workflow'] as const;
  const workflowRuns = new Counter({
    name: 'deployment_workflow_runs_total',
    help: 'Completed workflow runs (GitHub Actions workflow_run and pipeline deployments), each counted once.',
    labelNames: [...pw, 'conclusion'],
    registers,
  });
  const workflowRunDuration = new Histogram({
    name: 'deployment_workflow_run_duration_seconds',
    help: 'Duration of completed workflow runs from start to completion.',
    labelNames: [...pw, 'conclusion'],
    buckets: cfg.run_duration_buckets,
    registers,
  });
  const jobRuns = new Counter({
    name: 'deployment_job_runs_total',
    help: 'Completed jobs of workflow runs, each counted once.',
    labelNames: [...pw, 'job_name', 'conclusion'],
    registers,
  });
  const jobDuration = new Histogram({
    name: 'deployment_job_duration_seconds',
    help: 'Duration of completed jobs from start to completion.',
    labelNames: [...pw, 'job_name', 'conclusion'],
    buckets: cfg.job_duration_buckets,
    registers,
  });
  const jobQueue = new Histogram({
    name: 'deployment_job_queue_seconds',
    help: 'Time jobs waited for a runner (started_at - created_at).',
    labelNames: [...pw, 'job_name'],
    buckets: cfg.queue_buckets,
    registers,
  });
  const stepDuration = new Histogram({
    name: 'deployment_step_duration_seconds',
    help: 'Duration of completed steps; step names past the per-job limit are counted as step="other".',
    labelNames: [...pw, 'job_name', 'step', 'conclusion'],
    buckets: cfg.step_duration_buckets,
    registers,
  });
  const inProgress = new Gauge({
    name: 'deployments_in_progress',
    help: 'Workflow runs and pipeline deployments queued or in progress.',
    labelNames: [...pw],
    registers,
  });
  const lastRun = new Gauge({
    name: 'deployment_last_run_timestamp_seconds',
    help: 'Completion time of the latest completed run, as a Unix timestamp.',
    labelNames: [...pw, 'conclusion'],
    registers,
  });
  const deployments = new Counter({
    name: 'deployments_total',
    help: 'Deployments that reached a final status (GitHub deployment_status and the pipeline events API).',
    labelNames: ['project', 'environment', 'status'],
    registers,
  });
  const leadTime = new Histogram({
    name: 'deployment_lead_time_seconds',
    help: 'Lead time for changes: from the head commit (or pipeline start) to a successful completion.',
    labelNames: [...pw],
    buckets: cfg.lead_time_buckets,
    registers,
  });
  const requests = new Counter({
    name: 'vigil_webhook_requests_total',
    help: 'Deployment events received, by source, event and result.',
    labelNames: ['source', 'event', 'result'],
    registers,
  });

  const streamClients = new Gauge({
    name: 'vigil_deployments_stream_clients',
    help: 'Clients connected to the deployments live stream.',
    registers,
  });
  const streamDropped = new Counter({
    name: 'vigil_deployments_stream_dropped_clients_total',
    help: 'Live stream clients disconnected because they did not keep up.',
    registers,
  });

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
      if (cached?.version === version && Date.now() - cached.at < 60_000) return cached.text;
      const at = version;
      beforeRender();
      const text = await registry.metrics();
      // A change during the await leaves the cache stale for the next scrape.
      cached = { version: at, at: Date.now(), text };
      return text;
    },
  };
}
