import type { PartDefinition } from '../../core/part';

/** Placeholder until the deployments exporter lands. */
export const deploymentsPart: PartDefinition = {
  name: 'deployments',
  enabled: (config) => config.deployments.enabled,
  create: () => ({
    name: 'deployments',
    routes: () => [],
    start: async () => {},
    reload: async () => {},
    stop: async () => {},
    metrics: () => '',
  }),
};
