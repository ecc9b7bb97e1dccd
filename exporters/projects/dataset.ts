/** The ECS `event.dataset` of this part's records: data stream logs-vigil.projects-<namespace>. */
export const DATASET = 'vigil.projects';
