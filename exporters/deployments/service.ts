import { ServiceKey } from '../../core/services';
import { publicRun, runSummary, type JobRecord, type RunRecord, type StepRecord } from './model';
import type { Tracker } from './tracker';

export type PublicStep = Omit<StepRecord, 'counted'>;
export type PublicJob = Omit<JobRecord, 'counted' | 'steps'> & { steps: PublicStep[] };
export type PublicRun = Omit<RunRecord, 'counted' | 'jobs'> & { jobs: PublicJob[] };
export type RunSummary = ReturnType<typeof runSummary>;

/** What the deployments part offers the other parts (the portal) in this process: its run history. */
export interface DeploymentsService {
  /** Most recently changed first; of one project when given. */
  recent(project: string | undefined, limit: number): PublicRun[];
  /** Like recent, without jobs and logs (cheap, for lists). */
  summaries(project: string | undefined, limit: number): RunSummary[];
  get(id: string): PublicRun | undefined;
}
export const DEPLOYMENTS_SERVICE = new ServiceKey<DeploymentsService>('deployments');

export function deploymentsService(tracker: Tracker): DeploymentsService {
  return {
    recent: (project, limit) => tracker.recent(project, limit).map((r) => publicRun(r) as PublicRun),
    summaries: (project, limit) => tracker.recent(project, limit).map(runSummary),
    get(id) {
      const run = tracker.get(id);
      return run && (publicRun(run) as PublicRun);
    },
  };
}
