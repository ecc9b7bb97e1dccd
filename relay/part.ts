import { definePart } from '../core/part';
import { relayConfigSchema } from './config';
import { DATASET } from './dataset';
import { createRelay } from './relay';

/** The alert relay as a Vigil part (section `relay`). */
export const relayPart = definePart({
  section: 'relay',
  schema: relayConfigSchema,
  dataset: DATASET,
  create: (section, ctx) => createRelay(section, ctx),
});
