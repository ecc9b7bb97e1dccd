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

/** A value that `${NAME}` filled in: where it is, as written in the file, and what it became. */
interface Interpolated {
  readonly path: readonly PropertyKey[];
  readonly written: string;
  readonly value: string;
}

interface InterpolationState {
  readonly env: Env;
  readonly problems: { path: string; message: string }[];
  readonly interpolated: Interpolated[];
}

/**
 * Replaces ${VAR} in every string value with the environment's value ("$$" is a literal "$").
 * Done on parsed values, never on the raw text, so a secret cannot change the YAML structure.
 */
function interpolate(value: unknown, path: PropertyKey[], state: InterpolationState): unknown {
  if (typeof value === 'string') {
    let fromEnv = false;
    const out = value.replace(ENV_REF, (match, name: string | undefined) => {
      if (name === undefined) return '$';
      const v = state.env[name];
      if (v === undefined) {
        state.problems.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
        return match;
      }
      fromEnv = true;
      return v;
    });
    if (fromEnv) state.interpolated.push({ path, written: value, value: out });
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...path, i], state));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, [...path, k], state);
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

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean =>
  prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));

/** `the value of ${NAME}` for a value that is one reference, else `the value of "<as written>"`. */
function origin(i: Interpolated): string {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(i.written) ? `the value of ${i.written}` : `the value of ${JSON.stringify(i.written)}`;
}

/**
 * A message about a value that came from the environment names the variable, never its value
 * (it may be a secret): ", got <value>" becomes ", got the value of ${NAME}", and any other
 * appearance of the value in a message about that key or a key above it is replaced the same way.
 */
function hideEnvValues(issue: z.core.$ZodIssue, message: string, interpolated: readonly Interpolated[]): string {
  let out = message;
  for (const i of interpolated) {
    if (!startsWith(i.path, issue.path)) continue;
    const exact = i.path.length === issue.path.length;
    const got = out.indexOf(', got ');
    if (exact && got !== -1) {
      out = `${out.slice(0, got)}, got ${origin(i)}`;
      continue;
    }
    out = out.split(JSON.stringify(i.value)).join(origin(i));
    // A very short value could match unrelated text; it is hidden only in its quoted form above.
    if (i.value.length >= 4) out = out.split(i.value).join(origin(i));
  }
  return out;
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
  const state: InterpolationState = { env, problems: [], interpolated: [] };
  const interpolated = interpolate(raw, [], state);
  if (state.problems.length > 0) throw new ConfigError(file, state.problems);
  const result = rootSchema(parts).safeParse(interpolated);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        const d = describeIssue(issue);
        return { path: d.path, message: hideEnvValues(issue, d.message, state.interpolated) };
      }),
    );
  }
  return result.data as ConfigOf<P>;
}

/**
 * True when a file holds no settings: empty, only whitespace, comments or "---" (or a bare null). Such a
 * file is refused (a file truncated mid-write must not reset every part to its defaults); `{}` is
 * the way to ask for every default.
 */
export function isEmptyDocument(text: string): boolean {
  const doc = parseDocument(text);
  return doc.errors.length === 0 && doc.toJS() == null;
}

export async function loadConfig<P extends PartList>(file: string, env: Env, parts: P): Promise<ConfigOf<P>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${code})` }]);
  }
  if (isEmptyDocument(text)) {
    throw new ConfigError(file, [{ path: '', message: 'the file holds no settings (it is empty, or only whitespace and comments); write "{}" to run on every default' }]);
  }
  return parseConfig(text, file, env, parts);
}
