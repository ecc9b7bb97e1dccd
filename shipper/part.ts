import type { PartDefinition } from '../core/part';

/** Placeholder until the log shipper lands. */
export const shipperPart: PartDefinition = {
  name: 'shipper',
  enabled: (config) => config.shipper.enabled,
  create: () => ({
    name: 'shipper',
    routes: () => [],
    start: async () => {},
    reload: async () => {},
    stop: async () => {},
    metrics: () => '',
  }),
};
