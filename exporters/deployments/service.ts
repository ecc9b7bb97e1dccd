import { ServiceKey } from '../../core/services';
import { publicRun, runSummary, type JobRecord, type RunRecord, type StepRecord } from './model';
import type { RunHistory } from './run-history';

export type PublicStep = StepRecord;
export type PublicJob = JobRecord;
export type PublicRun = RunRecord;
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

export function deploymentsService(history: RunHistory): DeploymentsService {
  return {
    recent: (project, limit) => history.recent(project, limit).map(publicRun),
    summaries: (project, limit) => history.recent(project, limit).map(runSummary),
    get(id) {
      const run = history.get(id);
      return run && publicRun(run);
    },
  };
}
