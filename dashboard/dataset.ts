/** The ECS `event.dataset` of the portal's own records (page failures): data stream logs-vigil.dashboard-<namespace>. */
export const DATASET = 'vigil.dashboard';
