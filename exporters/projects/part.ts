import type { PartDefinition } from '../../core/part';
import { createProjectsExporter } from './exporter';

/** The project-status exporter as a Vigil part: `projects:` in vigil.yml, switched off by `enabled: false`. */
export const projectsPart: PartDefinition = {
  name: 'projects',
  enabled: (config) => config.projects.enabled,
  create: (config, ctx) => {
    const exporter = createProjectsExporter({ config: config.projects, logger: ctx.logger });
    return {
      name: 'projects',
      routes: () => [],
      start: () => {
        exporter.start();
        return Promise.resolve();
      },
      reload: (next) => {
        exporter.reload(next.projects);
        return Promise.resolve();
      },
      stop: () => exporter.stop(),
      metrics: () => exporter.metrics(),
    };
  },
};
