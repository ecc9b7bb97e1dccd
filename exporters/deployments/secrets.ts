import { readFile } from 'node:fs/promises';
import type { Env } from '../../core/config';

export interface Secret {
  readonly value: string;
  /** Where it came from, for start-up messages: never the value itself. */
  readonly origin: string;
}

/** A secret from a file named in config (trailing newline removed) or else from an environment variable. */
export async function resolveSecret(file: string | undefined, env: Env, variable: string): Promise<Secret | undefined> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the secret file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new Error(`the secret file ${file} is empty`);
    return { value, origin: `file ${file}` };
  }
  const value = env[variable];
  if (value === undefined || value === '') return undefined;
  return { value, origin: `environment variable ${variable}` };
}
