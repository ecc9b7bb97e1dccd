/** The ECS `event.dataset` of this part's records: data stream logs-vigil.relay-<namespace>. */
export const DATASET = 'vigil.relay';
