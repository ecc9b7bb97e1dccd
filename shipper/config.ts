import { z } from 'zod';

/** Placeholder: the log shipper's section of vigil.yml. */
export const shipperConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
});
export type ShipperConfig = z.output<typeof shipperConfigSchema>;
