import { z } from 'zod';
import { byteSize, duration } from '../../core/duration';
import { PROJECT_NAME, PROJECT_NAME_RULE } from './project-name';
import { streamConfigSchema } from '../../core/event-stream';

/** Histogram buckets in seconds: positive and strictly increasing. */
const buckets = (defaults: number[]) =>
  z
    .array(z.number().positive())
    .min(1)
    .refine((b) => b.every((v, i) => i === 0 || v > (b[i - 1] as number)), { message: 'expected strictly increasing bucket bounds' })
    .default(defaults);

const count = (def: number, max = 1_000_000) => z.number().int().min(1).max(max).default(def);

/** The deployments exporter's section of vigil.yml; every default lives here. */
export const deploymentsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Largest request body accepted on either input (413 past it). */
  body_limit: byteSize.default(2 * 1024 * 1024),
  github: z
    .strictObject({
      /** File holding the webhook secret; without it GITHUB_WEBHOOK_SECRET from the environment is used. */
      secret_file: z.string().min(1).optional(),
      /** Accept deliveries without a signature when no secret is configured (never when one is). */
      allow_unsigned: z.boolean().default(false),
      /** How many X-GitHub-Delivery ids are remembered to acknowledge redeliveries without counting. */
      delivery_cache_size: count(10_000),
      /** Repository ("owner/name" or "name") to project name; default is repository.name. */
      projects: z.record(z.string().min(1), z.string().regex(PROJECT_NAME, PROJECT_NAME_RULE)).default({}),
    })
    .prefault({}),
  api: z
    .strictObject({
      /** File holding the bearer token; without it VIGIL_API_TOKEN from the environment is used. */
      token_file: z.string().min(1).optional(),
      /** Largest number of events in one batch request. */
      max_batch: count(500, 100_000),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      run_duration_buckets: buckets([10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600]),
      job_duration_buckets: buckets([5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600]),
      queue_buckets: buckets([1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]),
      step_duration_buckets: buckets([1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]),
      lead_time_buckets: buckets([300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400, 259_200, 604_800]),
      /** Distinct step names kept per job; later ones are counted as step="other". */
      max_steps_per_job: count(30, 1000),
      /** Distinct job names kept per workflow; later ones are counted as job_name="other". */
      max_jobs_per_workflow: count(100, 10_000),
      /** Distinct workflows kept per project; later ones are counted as workflow="other". */
      max_workflows_per_project: count(50, 10_000),
      /** Distinct projects kept; later ones are counted as project="other". */
      max_projects: count(200, 10_000),
    })
    .prefault({}),
  history: z
    .strictObject({
      /** Runs kept in memory and in the journal under <storage>/deployments/. */
      max_runs: count(1000, 100_000),
      max_jobs_per_run: count(200, 10_000),
      max_steps_per_job: count(100, 10_000),
      max_log_lines_per_run: count(200, 100_000),
      /** A journal segment past this size is compacted into a snapshot of the kept runs. */
      segment_size: byteSize.default(8 * 1024 * 1024),
      /** A run not completed and unchanged this long (its completion was lost) no longer counts as in progress. */
      stale_after: duration.default(6 * 3_600_000),
      /** Changes are appended to the journal at most this often (and on stop). */
      flush_interval: duration.default(1000),
    })
    .prefault({}),
  stream: streamConfigSchema,
});
export type DeploymentsConfig = z.output<typeof deploymentsConfigSchema>;
