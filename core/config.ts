import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, formatPath } from './config-error';
import type { PartDefinition, PartSection } from './part';

export { ConfigError } from './config-error';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The sections core itself reads; every other section belongs to a part. */
const coreSections = {
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
  storage: z.strictObject({ path: z.string().min(1).default('data') }).prefault({}),
};

export interface CoreConfig {
  readonly log: { readonly level: LogLevel };
  readonly storage: { readonly path: string };
}

/** Any list of part definitions (the composition root's, or a test's). */
export type PartList = readonly PartDefinition<PartSection, string>[];

type SectionOf<D> = D extends PartDefinition<infer S, string> ? S : never;

/** The whole configuration: core's sections and one section per part, named by the part. */
export type ConfigOf<P extends PartList> = CoreConfig & { readonly [D in P[number] as D['section']]: SectionOf<D> };

/** Reads one part's section out of a parsed configuration (validated by the root schema). */
export function sectionOf<S extends PartSection>(config: CoreConfig, def: PartDefinition<S>): S {
  return (config as unknown as Record<string, S>)[def.section] as S;
}

/** The root schema: core's sections plus each part's own schema under its section name. */
export function rootSchema(parts: PartList): z.ZodType<CoreConfig> {
  const shape: Record<string, z.ZodType> = { ...coreSections };
  for (const def of parts) {
    if (def.section in shape) throw new Error(`the config section "${def.section}" is already taken (by core or another part)`);
    shape[def.section] = (def.schema as z.ZodType).prefault({});
  }
  return z.strictObject(shape) as unknown as z.ZodType<CoreConfig>;
}

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
export function parseConfig<P extends PartList>(text: string, file: string, env: Env, parts: P): ConfigOf<P> {
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
  const result = rootSchema(parts).safeParse(interpolated);
  if (!result.success) throw new ConfigError(file, result.error.issues.map(describeIssue));
  return result.data as ConfigOf<P>;
}

export async function loadConfig<P extends PartList>(file: string, env: Env, parts: P): Promise<ConfigOf<P>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${code})` }]);
  }
  return parseConfig(text, file, env, parts);
}
