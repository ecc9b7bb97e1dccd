import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';

/**
 * elasticsearch/ at the repository root: the one source of the templates and the ILM policy. Found
 * upwards from this module, so it works from shipper/ (tsx) and from a bundle (dist/vigil.mjs).
 */
export const ASSETS_DIR = findAssetsDir(import.meta.dirname);

function findAssetsDir(start: string): string {
  for (let dir = start, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'elasticsearch');
    if (existsSync(join(candidate, 'index-templates'))) return candidate;
  }
  return join(start, '..', 'elasticsearch');
}

export type IlmPolicyBody = Omit<estypes.IlmPutLifecycleRequest, 'name'>;
export type ComponentTemplateBody = Omit<estypes.ClusterPutComponentTemplateRequest, 'name'>;
export type IndexTemplateBody = Omit<estypes.IndicesPutIndexTemplateRequest, 'name'>;

interface Named<T> {
  readonly name: string;
  readonly body: T;
}

export interface EsAssets {
  readonly ilmPolicies: readonly Named<IlmPolicyBody>[];
  readonly componentTemplates: readonly Named<ComponentTemplateBody>[];
  readonly indexTemplates: readonly Named<IndexTemplateBody>[];
}

/** Every *.json file of a folder, named by its file name; the shapes are type-checked by a test. */
async function loadFolder<T>(dir: string): Promise<Named<T>[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({ name: basename(f, '.json'), body: JSON.parse(await readFile(join(dir, f), 'utf8')) as T })),
  );
}

/** Reads the assets; the delete phase of every ILM policy gets the configured retention. */
export async function loadAssets(retentionDays: number, dir = ASSETS_DIR): Promise<EsAssets> {
  const ilmPolicies = (await loadFolder<IlmPolicyBody>(join(dir, 'ilm'))).map(({ name, body }) => {
    const del = body.policy?.phases?.delete;
    if (!del) throw new Error(`elasticsearch/ilm/${name}.json: expected a delete phase`);
    return { name, body: { ...body, policy: { ...body.policy, phases: { ...body.policy?.phases, delete: { ...del, min_age: `${retentionDays}d` } } } } };
  });
  return {
    ilmPolicies,
    componentTemplates: await loadFolder<ComponentTemplateBody>(join(dir, 'component-templates')),
    indexTemplates: await loadFolder<IndexTemplateBody>(join(dir, 'index-templates')),
  };
}

/** PUTs the policy, then the component templates, then the index templates: idempotent. */
export async function installAssets(client: Client, assets: EsAssets, signal?: AbortSignal): Promise<void> {
  const opts = signal ? { signal } : {};
  for (const { name, body } of assets.ilmPolicies) await client.ilm.putLifecycle({ name, ...body }, opts);
  for (const { name, body } of assets.componentTemplates) await client.cluster.putComponentTemplate({ name, ...body }, opts);
  for (const { name, body } of assets.indexTemplates) await client.indices.putIndexTemplate({ name, ...body }, opts);
}
