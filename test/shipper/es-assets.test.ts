import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ASSETS_DIR, loadAssets } from '../../shipper/es-assets';

const ROOT = join(import.meta.dirname, '../..');

/** The request type (without the name, which is the file name) each folder's files must satisfy. */
const FOLDERS: Record<string, string> = {
  ilm: "Omit<estypes.IlmPutLifecycleRequest, 'name'>",
  'component-templates': "Omit<estypes.ClusterPutComponentTemplateRequest, 'name'>",
  'index-templates': "Omit<estypes.IndicesPutIndexTemplateRequest, 'name'>",
};

async function assetFiles(): Promise<{ folder: string; file: string; text: string }[]> {
  const out: { folder: string; file: string; text: string }[] = [];
  for (const folder of Object.keys(FOLDERS)) {
    for (const file of (await readdir(join(ASSETS_DIR, folder))).filter((f) => f.endsWith('.json')).sort()) {
      out.push({ folder, file, text: await readFile(join(ASSETS_DIR, folder, file), 'utf8') });
    }
  }
  return out;
}

/**
 * Type-checks JSON texts against the client's request types: each becomes an object literal with
 * `satisfies`, so literal types ("keyword") and unknown keys are checked as in hand-written code.
 * The checked source is virtual (never written into the tree).
 */
function typeCheck(assets: { folder: string; file: string; text: string }[]): string[] {
  const virtual = join(ROOT, 'test/shipper/__es_assets_check__.ts');
  const source = [
    "import type { estypes } from '@elastic/elasticsearch';",
    ...assets.map((a, i) => `// ${a.folder}/${a.file}\nexport const asset${i} = ${a.text.trim()} satisfies ${FOLDERS[a.folder] ?? 'never'};`),
  ].join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === virtual ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const line = source.split('\n')[where - 1] ?? '';
    return `line ${where} (${line.trim().slice(0, 60)}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test('the templates and the ILM policy under elasticsearch/ type-check against the client request types', async () => {
  const assets = await assetFiles();
  assert.ok(assets.length >= 4);
  assert.deepEqual(typeCheck(assets), []);
});

test('the type check catches a wrong template (a misspelt key and a wrong field type)', async () => {
  const assets = await assetFiles();
  const broken = assets.map((a) =>
    a.folder === 'index-templates' ? { ...a, text: a.text.replace('"priority": 200', '"priority": "high", "data_streams": {}') } : a,
  );
  const problems = typeCheck(broken);
  assert.ok(problems.some((p) => /priority|string.*number/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /data_streams/.test(p)), problems.join('\n'));
});

test('the ILM policy has a delete phase with the configured retention; the index template covers logs-vigil.*', async () => {
  const assets = await loadAssets(12);
  const policy = assets.ilmPolicies.find((p) => p.name === 'logs-vigil');
  assert.equal(policy?.body.policy?.phases?.delete?.min_age, '12d');
  assert.ok(policy?.body.policy?.phases?.delete?.actions?.delete !== undefined);
  const template = assets.indexTemplates.find((t) => t.name === 'logs-vigil');
  assert.deepEqual(template?.body.index_patterns, ['logs-vigil.*-*']);
  assert.deepEqual(
    [...(template?.body.composed_of ?? [])].sort(),
    assets.componentTemplates.map((c) => c.name).sort(),
    'the index template is composed of exactly the component templates shipped',
  );
});
