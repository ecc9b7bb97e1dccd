import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOST_COLLECTOR_FAMILIES, HOST_FAMILIES, HOST_FAMILY_PREFIXES } from '../../../exporters/host/families';
import { readExposition, undeclared, type SeenFamily } from '../../helpers/exposition';
import { GOLDEN } from './fixtures';

/** Every collector's golden output (test/fixtures/host/golden), the textfile's operator families left out. */
async function goldenFamilies(): Promise<SeenFamily[]> {
  const out: SeenFamily[] = [];
  for (const file of (await readdir(GOLDEN)).filter((f) => f.endsWith('.prom')).sort()) {
    const { families, problems } = readExposition(await readFile(join(GOLDEN, file), 'utf8'));
    assert.deepEqual(problems, [], file);
    out.push(...(file === 'textfile.prom' ? families.filter((f) => f.name.startsWith('node_textfile_')) : families));
  }
  return out;
}

test('the host part declares every family its collectors render, with their type, help and labels', async () => {
  assert.deepEqual(undeclared(await goldenFamilies(), HOST_FAMILIES, HOST_FAMILY_PREFIXES), []);
});

test('every declared host collector family is rendered by some collector (the list is not stale)', async () => {
  const seen = new Set((await goldenFamilies()).map((f) => f.name));
  assert.deepEqual(
    HOST_COLLECTOR_FAMILIES.map((f) => f.name).filter((name) => !seen.has(name)),
    [],
  );
  // The prefixes are used, and declared names do not hide under them.
  for (const prefix of HOST_FAMILY_PREFIXES) assert.ok([...seen].some((n) => n.startsWith(prefix)), prefix);
  assert.deepEqual(
    HOST_COLLECTOR_FAMILIES.filter((f) => HOST_FAMILY_PREFIXES.some((p) => f.name.startsWith(p))).map((f) => f.name),
    [],
  );
});
