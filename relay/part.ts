import type { PartDefinition } from '../core/part';
import { createRelay } from './relay';

/** The alert relay as a Vigil part (section `relay`). */
export const relayPart: PartDefinition = {
  name: 'relay',
  enabled: (config) => config.relay.enabled,
  create(config, ctx) {
    const relay = createRelay(config.relay, ctx);
    return { ...relay, reload: (next) => relay.reload(next.relay) };
  },
};
