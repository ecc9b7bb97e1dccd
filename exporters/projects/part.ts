import { definePart } from '../../core/part';
import { projectsConfigSchema } from './config';
import { DATASET } from './dataset';
import { createProjectsExporter } from './exporter';

/** The project-status exporter as a Vigil part: `projects:` in vigil.yml, switched off by `enabled: false`. */
export const projectsPart = definePart({
  section: 'projects',
  schema: projectsConfigSchema,
  dataset: DATASET,
  create: (section, ctx) => {
    const exporter = createProjectsExporter({ config: section, logger: ctx.logger });
    return {
      name: 'projects',
      routes: () => [],
      start: () => {
        exporter.start();
        return Promise.resolve();
      },
      reload: (next) => {
        exporter.reload(next);
        return Promise.resolve();
      },
      stop: () => exporter.stop(),
      metrics: () => exporter.metrics(),
    };
  },
});
