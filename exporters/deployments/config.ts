import { z } from 'zod';

/** Placeholder: the deployments exporter's section of vigil.yml. */
export const deploymentsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
});
export type DeploymentsConfig = z.output<typeof deploymentsConfigSchema>;
