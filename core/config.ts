import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatPath } from './config-error';
import { hostConfigSchema } from '../exporters/host/config';
import { projectsConfigSchema } from '../exporters/projects/config';
import { deploymentsConfigSchema } from '../exporters/deployments/config';
import { shipperConfigSchema } from '../shipper/config';
import { dashboardConfigSchema } from '../dashboard/config';

export { ConfigError } from './config-error';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole configuration file; every part owns its own section schema in its folder. */
export const configSchema = z.strictObject({
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
  storage: z.strictObject({ path: z.string().min(1).default('data') }).prefault({}),
  host: hostConfigSchema.prefault({}),
  projects: projectsConfigSchema.prefault({}),
  deployments: deploymentsConfigSchema.prefault({}),
  shipper: shipperConfigSchema.prefault({}),
  dashboard: dashboardConfigSchema.prefault({}),
});

export type VigilConfig = z.output<typeof configSchema>;

export type Env = Readonly<Record<string, string | undefined>>;

const ENV_REF = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces ${VAR} in every string value with the environment's value ("$$" is a literal "$").
 * Done on parsed values, never on the raw text, so a secret cannot change the YAML structure.
 */
function interpolate(value: unknown, env: Env, path: PropertyKey[], problems: { path: string; message: string }[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (match, name: string | undefined) => {
      if (name === undefined) return '$';
      const v = env[name];
      if (v === undefined) {
        problems.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
        return match;
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, [...path, k], problems);
    return out;
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; message: string } {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` };
  }
  return { path, message: issue.message };
}

/** Pure: the configuration for a file's text and an environment, or a ConfigError. */
export function parseConfig(text: string, file: string, env: Env): VigilConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message.split('\n')[0] ?? e.message}` })));
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [{ path: '', message: 'expected a mapping at the top level' }]);
  }
  const problems: { path: string; message: string }[] = [];
  const interpolated = interpolate(raw, env, [], problems);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(file, result.error.issues.map(describeIssue));
  return result.data;
}

export async function loadConfig(file: string, env: Env): Promise<VigilConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${code})` }]);
  }
  return parseConfig(text, file, env);
}
