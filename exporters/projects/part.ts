import type { PartDefinition } from '../../core/part';

/** Placeholder until the projects exporter lands. */
export const projectsPart: PartDefinition = {
  name: 'projects',
  enabled: (config) => config.projects.enabled,
  create: () => ({
    name: 'projects',
    routes: () => [],
    start: async () => {},
    reload: async () => {},
    stop: async () => {},
    metrics: () => '',
  }),
};
