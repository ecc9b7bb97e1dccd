import { createStreamHub, streamOptions } from '../../core/event-stream';
import { definePart } from '../../core/part';
import { procfsRoot } from '../../core/procfs';
import { tokenChecker } from '../../core/bearer';
import { readSecret } from '../../core/secrets';
import { PROJECTS_SERVICE, projectsRoutes, projectsService, publishResult } from './api';
import { projectsConfigSchema, type ProjectsConfig } from './config';
import { DATASET } from './dataset';
import { createProjectsExporter } from './exporter';
import { FAMILIES, PART_FAMILIES, renderStream } from './render';

const loadToken = async (cfg: ProjectsConfig, env: Readonly<Record<string, string | undefined>>) => {
  const secret = await readSecret(env, { variable: 'VIGIL_API_TOKEN', file: cfg.api.token_file, fileKey: 'projects.api.token_file' });
  return secret && tokenChecker(secret);
};

/** The project-status exporter as a Vigil part: `projects:` in vigil.yml, switched off by `enabled: false`. */
export const projectsPart = definePart({
  section: 'projects',
  schema: projectsConfigSchema,
  dataset: DATASET,
  families: [...FAMILIES, ...PART_FAMILIES],
  create: (section, ctx) => {
    let cfg = section;
    const hub = createStreamHub(streamOptions(cfg.stream));
    const exporter = createProjectsExporter({
      config: cfg,
      logger: ctx.logger,
      now: () => ctx.now(),
      procfs: () => procfsRoot(ctx.services),
      onResult: (p, from) => publishResult(hub, p, from),
    });
    let token: ((given: string) => boolean) | undefined;
    const routes = projectsRoutes({ exporter, hub, token: () => token });
    let withdraw = (): void => undefined;
    return {
      name: 'projects',
      routes: () => routes,
      start: async () => {
        token = await loadToken(cfg, ctx.env);
        withdraw = ctx.services?.provide(PROJECTS_SERVICE, projectsService(exporter)) ?? withdraw;
        exporter.start();
      },
      reload: async (next) => {
        const nextToken = await loadToken(next, ctx.env);
        exporter.reload(next);
        hub.configure(streamOptions(next.stream));
        token = nextToken;
        cfg = next;
      },
      stop: () => {
        withdraw();
        hub.close();
        return exporter.stop();
      },
      metrics: () => exporter.metrics() + renderStream(hub.clients, hub.dropped),
    };
  },
});
