import type { PartDefinition } from '../../core/part';

/** Placeholder until the host exporter lands. */
export const hostPart: PartDefinition = {
  name: 'host',
  enabled: (config) => config.host.enabled,
  create: () => ({
    name: 'host',
    routes: () => [],
    start: async () => {},
    reload: async () => {},
    stop: async () => {},
    metrics: () => '',
  }),
};
