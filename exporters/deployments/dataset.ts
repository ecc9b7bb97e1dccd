/** The ECS `event.dataset` of this part's records: data stream logs-vigil.deployments-<namespace>. */
export const DATASET = 'vigil.deployments';
