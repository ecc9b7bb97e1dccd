import { z } from 'zod';

/** Placeholder: the projects exporter's section of vigil.yml. */
export const projectsConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
});
export type ProjectsConfig = z.output<typeof projectsConfigSchema>;
