import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Eta, type TemplateFunction } from 'eta';
import type { Language } from './config';
import type { MessageView } from './view';

/**
 * relay/templates/ in the repository: the built-in templates. Found upwards from this module, so it
 * works from relay/ (tsx) and from the bundle (dist/vigil.mjs).
 */
export const BUILTIN_TEMPLATES_DIR = findTemplatesDir(import.meta.dirname);

function findTemplatesDir(start: string): string {
  for (let dir = start, i = 0; i < 6; i++, dir = dirname(dir)) {
    for (const candidate of [join(dir, 'templates'), join(dir, 'relay', 'templates')]) {
      if (existsSync(join(candidate, 'message.en.eta'))) return candidate;
    }
  }
  return join(start, 'templates');
}

export type Render = (view: MessageView) => string;

/** Markdown is not HTML: values go out as they are. Lines of control code end with "-%>". */
const eta = new Eta({ autoEscape: false, autoTrim: false, cache: false });

export function templateFile(lang: Language, dir: string | undefined): string {
  const name = `message.${lang}.eta`;
  if (dir !== undefined) {
    const own = join(dir, name);
    if (existsSync(own)) return own;
  }
  return join(BUILTIN_TEMPLATES_DIR, name);
}

/**
 * Compiles the message template of a language: the file in `dir` (relay.templates_dir) when there is
 * one, else the built-in one. A template that does not compile or fails on a sample throws, naming
 * the file, so that a bad edit is refused at start or reload rather than at the first alert.
 */
export function loadTemplate(lang: Language, dir: string | undefined): Render {
  const file = templateFile(lang, dir);
  let fn: TemplateFunction;
  try {
    fn = eta.compile(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`template ${file}: ${(err as Error).message.split('\n')[0] ?? 'does not compile'}`);
  }
  return (view) => {
    try {
      return fn.call(eta, view);
    } catch (err) {
      throw new Error(`template ${file}: ${(err as Error).message.split('\n')[0] ?? 'failed'}`);
    }
  };
}
