import { z } from 'zod';

/** Placeholder: the host exporter's section of vigil.yml. */
export const hostConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
});
export type HostConfig = z.output<typeof hostConfigSchema>;
