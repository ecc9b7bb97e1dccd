import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'core');

/** Every module specifier a TypeScript source names: static imports, re-exports and import(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1] as string);
  return found;
}

/** The relative imports of a file under core/ that leave core/ (a part, bin/, anything else). */
function escapes(file: string, source: string): string[] {
  return specifiers(source)
    .filter((s) => s.startsWith('.'))
    .filter((s) => {
      const target = resolve(dirname(file), s);
      return target !== CORE && !target.startsWith(CORE + sep);
    });
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('the import scanner sees every form of import', () => {
  const file = join(CORE, 'x.ts');
  const source = [
    "import { a } from '../exporters/host/part';",
    "import type { B } from '../shipper/config';",
    "export { c } from '../relay/part';",
    "import '../dashboard/side-effect';",
    "const d = await import('../bin/parts');",
    "import { e } from './logger';",
    "import { f } from 'zod';",
  ].join('\n');
  assert.deepEqual(escapes(file, source), ['../exporters/host/part', '../shipper/config', '../relay/part', '../dashboard/side-effect', '../bin/parts']);
});

test('nothing under core/ imports a part or the composition root', async () => {
  const offenders: string[] = [];
  for (const file of await tsFiles(CORE)) {
    for (const s of escapes(file, await readFile(file, 'utf8'))) offenders.push(`${relative(ROOT, file)} imports ${s}`);
  }
  assert.deepEqual(offenders, [], 'core/ must know no part: parts are listed in bin/parts.ts only');
});
