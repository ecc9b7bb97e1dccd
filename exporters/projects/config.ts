import { z } from 'zod';
import { duration } from '../../core/duration';
import { headersSchema, httpUrl } from '../../core/schemas';
import { streamConfigSchema } from '../../core/event-stream';

/**
 * The `projects:` section of vigil.yml: every project Vigil checks on a schedule and how.
 * All defaults live here; keys are snake_case like the rest of vigil.yml; durations are parsed
 * to milliseconds.
 *
 * projects:
 *   interval: 60s          # how often every project is checked (a project may override it)
 *   concurrency: 32        # checks running at once, across all projects
 *   targets:
 *     - name: shop
 *       labels: { team: web, environment: production, url: https://shop.example.com/ }
 *       retries: 3         # consecutive failed runs before the project goes down
 *       checks:
 *         - { type: http, url: https://shop.example.com/healthz, body_contains: ok }
 *         - { type: tcp, address: "db.internal:5432" }
 *         - { type: process, process_name: nginx }
 */

/** Project and check names: they become label values and appear in logs. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME_MESSAGE = 'expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names project_info and the other families already use. */
const RESERVED_LABELS = new Set(['project', 'check', 'phase', 'job', 'instance']);

const HOST_PORT_RE = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/** Any interval from one second (90s, 7m...); each runs at its own random phase (core/scheduler.ts). */
const interval = duration.refine((ms) => ms >= 1000, {
  message: 'expected an interval of at least 1s, like "15s", "90s", "5m" or "1h"',
});

/** Per check; when not given, 10s or the project's interval if that is shorter (see below). */
const DEFAULT_TIMEOUT_MS = 10_000;
const timeout = duration.refine((ms) => ms > 0, { message: 'expected a timeout greater than zero' }).optional();

const checkName = z.string().regex(NAME_RE, NAME_MESSAGE).optional();

/** "200", 204 or a class such as "2xx"; parsed to an inclusive range. */
const statusCode = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599) return { min: v, max: v };
  if (typeof v === 'string' && /^[1-5]xx$/.test(v)) {
    const base = Number(v[0]) * 100;
    return { min: base, max: base + 99 };
  }
  ctx.addIssue({ code: 'custom', message: `expected a status code from 100 to 599 or a class like "2xx", got ${JSON.stringify(v)}` });
  return z.NEVER;
});

const regexSource = z.string().superRefine((v, ctx) => {
  try {
    new RegExp(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `expected a regular expression: ${(err as Error).message}` });
  }
});

export const httpCheckSchema = z.strictObject({
  type: z.literal('http'),
  name: checkName,
  url: httpUrl,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']).default('GET'),
  /** Values may hold secrets through ${ENV}; they are never logged or exported. */
  headers: headersSchema,
  /** Request body, for POST and PUT checks. */
  body: z.string().optional(),
  expected_status_codes: z.array(statusCode).min(1, 'expected at least one status code').prefault(['2xx']),
  /** The response body must contain this text... */
  body_contains: z.string().min(1).optional(),
  /** ...and/or match this regular expression (the first 1 MiB of the body is read). */
  body_matches: regexSource.optional(),
  timeout,
  tls_verify: z.boolean().default(true),
});

export const tcpCheckSchema = z.strictObject({
  type: z.literal('tcp'),
  name: checkName,
  address: z.string().refine(
    (v) => {
      const m = HOST_PORT_RE.exec(v);
      const port = m ? Number(m[3]) : 0;
      return port >= 1 && port <= 65535;
    },
    { message: 'expected HOST:PORT with a port from 1 to 65535, like "db.internal:5432" or "[::1]:80"' },
  ),
  timeout,
});

export const processCheckSchema = z
  .strictObject({
    type: z.literal('process'),
    name: checkName,
    /** The executable's name, as in /proc/PID/comm or the base name of argv[0]. */
    process_name: z.string().min(1).optional(),
    /** A regular expression matched against the whole command line (arguments joined by spaces). */
    cmdline: regexSource.optional(),
    /** A file holding the process id, as daemons write to /run/NAME.pid. */
    pid_file: z.string().min(1).optional(),
    timeout,
  })
  .superRefine((c, ctx) => {
    const given = [c.process_name, c.cmdline, c.pid_file].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'expected exactly one of process_name, cmdline or pid_file' });
  });

const checkSchema = z
  .discriminatedUnion('type', [httpCheckSchema, tcpCheckSchema, processCheckSchema], {
    error: (issue) => (issue.code === 'invalid_union' ? 'expected type "http", "tcp" or "process"' : undefined),
  })
  .transform((c) => ({ ...c, name: c.name ?? c.type }));

const labelsSchema = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      if (!LABEL_NAME_RE.test(key) || key.startsWith('__')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")' });
      } else if (RESERVED_LABELS.has(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `label name "${key}" is reserved` });
      }
    }
  });

const targetSchema = z
  .strictObject({
    name: z.string().regex(NAME_RE, NAME_MESSAGE),
    /** Static labels (team, environment, url...) exported once on project_info. */
    labels: labelsSchema,
    /** Defaults to the section's interval. */
    interval: interval.optional(),
    /** Consecutive failed runs before the project is down (it is up again on the first success). */
    retries: z.number().int().min(1).max(100).default(1),
    checks: z.array(checkSchema).min(1, 'expected at least one check'),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.checks.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({ code: 'custom', path: ['checks', i, 'name'], message: `duplicate check name "${c.name}"; give each check of the same type its own name` });
      }
      seen.add(c.name);
    });
  });

export const projectsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    interval: interval.default(60_000),
    /** Checks running at once across all projects. */
    concurrency: z.number().int().min(1).max(4096).default(32),
    targets: z.array(targetSchema).default([]),
    /** POST /api/v1/projects/{name}/check: the bearer token, from this file or else VIGIL_API_TOKEN. */
    api: z.strictObject({ token_file: z.string().min(1).optional() }).prefault({}),
    /** GET /api/v1/projects/stream: the same limits as the deployments stream. */
    stream: streamConfigSchema,
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.targets.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate project name "${t.name}"` });
      seen.add(t.name);
      const every = t.interval ?? s.interval;
      t.checks.forEach((c, j) => {
        if (c.timeout !== undefined && c.timeout > every) {
          ctx.addIssue({ code: 'custom', path: ['targets', i, 'checks', j, 'timeout'], message: `expected a timeout no longer than the project's interval (${every / 1000}s)` });
        }
      });
    });
  })
  .transform((s) => ({
    ...s,
    targets: s.targets.map((t) => {
      const every = t.interval ?? s.interval;
      return { ...t, interval: every, checks: t.checks.map((c) => ({ ...c, timeout: c.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, every) })) };
    }),
  }));

export type ProjectsConfig = z.output<typeof projectsConfigSchema>;
export type ProjectConfig = ProjectsConfig['targets'][number];
export type CheckConfig = ProjectConfig['checks'][number];
export type HttpCheck = Extract<CheckConfig, { type: 'http' }>;
export type TcpCheck = Extract<CheckConfig, { type: 'tcp' }>;
export type ProcessCheck = Extract<CheckConfig, { type: 'process' }>;
export type StatusRange = HttpCheck['expected_status_codes'][number];

/** Splits a validated "host:port" or "[v6]:port". */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = HOST_PORT_RE.exec(address);
  if (!m) throw new Error(`invalid address ${JSON.stringify(address)}`);
  return { host: m[1] ?? (m[2] as string), port: Number(m[3]) };
}
