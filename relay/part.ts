import { definePart } from '../core/part';
import { relayConfigSchema } from './config';
import { DATASET } from './dataset';
import { RELAY_FAMILIES } from './families';
import { createRelay } from './relay';

/** The alert relay as a Vigil part (section `relay`). */
export const relayPart = definePart({
  section: 'relay',
  schema: relayConfigSchema,
  dataset: DATASET,
  families: RELAY_FAMILIES,
  create: (section, ctx) => createRelay(section, ctx),
});
