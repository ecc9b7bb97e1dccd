import type { MetricFamily } from './exposition';
import { byName, defineFamilies, renderFamilies } from './exposition';

/** The runner's own families: served by whichever part runs collectors (the host part). */
export const RUNNER_FAMILIES = defineFamilies([
  { name: 'vigil_collector_duration_seconds', type: 'gauge', help: 'Duration of a collector scrape.', labels: ['collector'] },
  { name: 'vigil_collector_success', type: 'gauge', help: 'Whether a collector succeeded (1) or failed (0).', labels: ['collector'] },
]);
const RUNNER = byName(RUNNER_FAMILIES);

/**
 * One source of metrics, as in node_exporter: each collector lives in its own file and reads
 * what it needs when asked. A collector must not spawn processes or wait on the event loop for
 * anything that can block (a disk, a network filesystem): one that reads only kernel memory
 * (procfs, sysfs) answers at once with its families; one that must wait returns a promise.
 */
export interface Collector {
  readonly name: string;
  collect(signal: AbortSignal): MetricFamily[] | Promise<MetricFamily[]>;
}

export interface CollectorOutcome {
  readonly name: string;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly families: MetricFamily[];
  readonly error?: Error;
}

export interface RunnerOptions {
  /** Per-collector deadline; a collector that has not answered by then counts as failed. */
  readonly timeoutMs: number;
  readonly onError?: (collector: string, error: Error) => void;
}

class CollectorTimeout extends Error {
  constructor(name: string, ms: number) {
    super(`collector ${name} timed out after ${ms} ms`);
  }
}

/** The deadline of one run, shared by its collectors: they all start at once. */
interface Deadline {
  readonly signal: AbortSignal;
  /** Rejects with DeadlinePassed when the run's timeout expires. */
  readonly passed: Promise<never>;
}

class DeadlinePassed extends Error {}

async function runOne(c: Collector, opts: RunnerOptions, deadline: Deadline): Promise<CollectorOutcome> {
  const start = process.hrtime.bigint();
  try {
    const answer = c.collect(deadline.signal);
    // A collector that answered at once is timed as it returns, not after the others' turns.
    const families = Array.isArray(answer) ? answer : await Promise.race([answer, deadline.passed]);
    return { name: c.name, success: true, durationSeconds: elapsed(start), families };
  } catch (err) {
    const error = err instanceof DeadlinePassed ? new CollectorTimeout(c.name, opts.timeoutMs) : err instanceof Error ? err : new Error(String(err));
    opts.onError?.(c.name, error);
    return { name: c.name, success: false, durationSeconds: elapsed(start), families: [], error };
  }
}

function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Runs every collector concurrently, under one deadline (one timer a scrape, not one a
 * collector); one failing or hanging collector never fails the scrape.
 */
export async function runCollectors(collectors: readonly Collector[], opts: RunnerOptions): Promise<CollectorOutcome[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlinePassed());
    }, opts.timeoutMs);
  });
  passed.catch(() => undefined); // a run whose collectors all answered in time never looks at it
  try {
    return await Promise.all(collectors.map((c) => runOne(c, opts, { signal: controller.signal, passed })));
  } finally {
    clearTimeout(timer);
  }
}

export function runnerFamilies(outcomes: readonly CollectorOutcome[]): MetricFamily[] {
  return [
    {
      ...RUNNER.vigil_collector_duration_seconds,
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.durationSeconds })),
    },
    {
      ...RUNNER.vigil_collector_success,
      samples: outcomes.map((o) => ({ labels: { collector: o.name }, value: o.success ? 1 : 0 })),
    },
  ];
}

/** Collects and renders: the families of every successful collector plus the runner's own. */
export async function collectText(collectors: readonly Collector[], opts: RunnerOptions): Promise<string> {
  const outcomes = await runCollectors(collectors, opts);
  return renderFamilies([...outcomes.flatMap((o) => o.families), ...runnerFamilies(outcomes)]);
}
