import { definePart } from '../core/part';
import { createServices } from '../core/services';
import { readSecret } from '../core/secrets';
import { createPortal, MOUNT } from './app';
import { dashboardConfigSchema, type DashboardConfig } from './config';
import { DATASET } from './dataset';


const loadPassword = async (cfg: DashboardConfig, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> => {
  if (!cfg.auth.basic) return undefined;
  const secret = await readSecret(env, { variable: 'VIGIL_DASHBOARD_PASSWORD', file: cfg.auth.basic.password_file, fileKey: 'dashboard.auth.basic.password_file' });
  if (!secret) throw new Error('dashboard.auth.basic needs a password: set VIGIL_DASHBOARD_PASSWORD (or _FILE) or dashboard.auth.basic.password_file');
  return secret.reveal();
};

/** The portal: read-only pages under /portal that tie the stack together (dashboard/README.md). */
export const dashboardPart = definePart({
  section: 'dashboard',
  schema: dashboardConfigSchema,
  dataset: DATASET,
  /** The portal serves pages, no metrics. */
  families: [],
  create: (section, ctx) => {
    let cfg = section;
    let password: string | undefined;
    const portal = createPortal({ config: () => cfg, password: () => password, services: ctx.services ?? createServices(), logger: ctx.logger, now: () => ctx.now() });
    const mounts = [{ prefix: MOUNT, handler: portal.handle }];
    return {
      name: 'dashboard',
      routes: () => [],
      mounts: () => mounts,
      async start() {
        password = await loadPassword(cfg, ctx.env);
      },
      async reload(next) {
        const nextPassword = await loadPassword(next, ctx.env);
        cfg = next;
        password = nextPassword;
        portal.reset();
      },
      stop: () => Promise.resolve(),
      metrics: () => '',
    };
  },
});
