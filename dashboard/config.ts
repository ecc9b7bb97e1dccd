import { z } from 'zod';
import { duration } from '../core/duration';
import { HEADER_NAME_RE, headersSchema, httpUrl } from '../core/schemas';

/**
 * The `dashboard:` section of vigil.yml: the portal's pages under /portal. Every URL is optional;
 * the portal never requests one that is not configured. `url` is where Vigil reaches the
 * component (checks, queries); `public_url` is what the viewer's browser opens (links), `url` when
 * not given.
 */

const component = <T extends z.ZodRawShape>(extra: T) =>
  z
    .strictObject({
      url: httpUrl,
      public_url: httpUrl.optional(),
      /** Request headers for `url` (an API key through ${ENV}); never shown or logged. */
      headers: headersSchema,
      ...extra,
    })
    .optional();

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'expected letters, digits, ".", "_" or "-"');

export const dashboardConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Each request to a component (health, query, alerts) gives up after this long. */
    timeout: duration.refine((ms) => ms > 0, { message: 'expected a timeout greater than zero' }).default(2000),
    /** Component answers are reused this long across page views (0 = every view asks again). */
    cache: duration.default(15_000),
    grafana: component({
      /** The Grafana Projects board (its var-project variable selects a project). */
      projects_board_uid: name.default('vigil-projects'),
      deployments_board_uid: name.default('vigil-deployments'),
    }),
    kibana: component({
      /** The Kibana data view of Vigil's logs (elasticsearch/kibana/vigil-saved-objects.ndjson). */
      data_view: name.default('vigil-logs'),
    }),
    prometheus: component({}),
    alertmanager: component({}),
    elasticsearch: component({}),
    auth: z
      .strictObject({
        /** Basic auth: the password from `password_file` or else VIGIL_DASHBOARD_PASSWORD. */
        basic: z.strictObject({ username: z.string().min(1).max(200), password_file: z.string().min(1).optional() }).optional(),
        /** A header set by a trusted reverse proxy that authenticated the viewer (X-Forwarded-User). */
        proxy_header: z.string().regex(HEADER_NAME_RE, 'expected an HTTP header name').optional(),
      })
      .prefault({}),
    /** Who sees the "check now" button: viewers who authenticated (basic or proxy), everyone, or nobody. */
    check_now: z.enum(['authenticated', 'everyone', 'nobody']).default('authenticated'),
  })
  .superRefine((c, ctx) => {
    if (c.auth.basic && c.auth.proxy_header) ctx.addIssue({ code: 'custom', path: ['auth'], message: 'expected either basic or proxy_header, not both' });
  });

export type DashboardConfig = z.output<typeof dashboardConfigSchema>;
export type ComponentName = 'grafana' | 'kibana' | 'prometheus' | 'alertmanager' | 'elasticsearch';
export const COMPONENTS: readonly ComponentName[] = ['grafana', 'kibana', 'prometheus', 'alertmanager', 'elasticsearch'];

export interface ComponentConfig {
  readonly url: string;
  readonly public_url?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** The URL a component is reached at, without a trailing slash, or undefined when not configured. */
export const internalUrl = (c: ComponentConfig | undefined): string | undefined => c?.url.replace(/\/+$/, '');
export const publicUrl = (c: ComponentConfig | undefined): string | undefined => (c ? (c.public_url ?? c.url).replace(/\/+$/, '') : undefined);
