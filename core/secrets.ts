import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import type { Env } from './config';

const REDACTED = '[secret]';

/**
 * A secret value that cannot end up in a log, a metric or a page by accident: JSON, string
 * conversion and util.inspect (winston, console) all show "[secret]". `reveal()` is the one way
 * to the value, at the point of use (an HMAC key, an Authorization header).
 */
export class Secret {
  readonly #value: string;
  /** Where it came from, for start-up messages: "environment variable X" or "file /run/x". */
  readonly origin: string;

  constructor(value: string, origin: string) {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${this.origin})`;
  }
}

/** A secret that is set but unusable (unreadable or empty file, two sources); names the source only. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/** Where a secret may come from; the first one set wins, except that VAR and VAR_FILE together are refused. */
export interface SecretSource {
  /** The environment variable holding the value; `<variable>_FILE` may name a file instead. */
  readonly variable: string;
  /** A file named in vigil.yml (a `*_file` key); it takes precedence over the environment. */
  readonly file?: string | undefined;
  /** The key path of that file in vigil.yml, for error messages (e.g. deployments.github.secret_file). */
  readonly fileKey?: string;
}

async function fromFile(file: string, label: string): Promise<Secret> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SecretError(`${label}: cannot read the secret file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.trim();
  if (value === '') throw new SecretError(`${label}: the secret file ${file} is empty`);
  return new Secret(value, `file ${file}`);
}

/**
 * The secret from a config `*_file`, else from `<VAR>_FILE`, else from `<VAR>`; surrounding
 * whitespace (the file's trailing newline) trimmed. undefined when none is set (an empty
 * variable counts as unset); SecretError when one is set but cannot be used.
 */
export async function readSecret(env: Env, source: SecretSource): Promise<Secret | undefined> {
  const { variable } = source;
  if (source.file !== undefined) return fromFile(source.file, source.fileKey ?? 'secret file');
  const direct = env[variable];
  const file = env[`${variable}_FILE`];
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  if (set(direct) && set(file)) throw new SecretError(`${variable} and ${variable}_FILE are both set; expected only one`);
  if (set(file)) return fromFile(file, `${variable}_FILE`);
  if (!set(direct)) return undefined;
  const value = direct.trim();
  return value === '' ? undefined : new Secret(value, `environment variable ${variable}`);
}
