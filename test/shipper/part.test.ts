import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../bin/parts';
import { APP_DATASET, createLogger } from '../../core/logger';
import { DATASET as DEPLOYMENTS } from '../../exporters/deployments/dataset';
import { DATASET as PROJECTS } from '../../exporters/projects/dataset';
import { ASSETS_DIR } from '../../shipper/es-assets';
import { esSettingsFromEnv } from '../../shipper/es-settings';
import { shipperPart } from '../../shipper/part';
import { startVigil } from '../helpers/vigil';
import { startMockElasticsearch } from './helpers/mock-elasticsearch';
import { FAST, logRecords, seqOf, startShipper, until } from './helpers/shipper';

const YAML = 'shipper:\n  bulk: { flush_interval: 20ms }\n  backoff: { initial: 20ms, max: 100ms }\n  retention_days: 7\n';

function promtool(text: string): string {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

test('without ELASTICSEARCH_URL every part\'s records land in rotated local NDJSON files in ECS shape', async () => {
  const logger = createLogger({ level: 'info', silent: true });
  const vigil = await startVigil(YAML, { parts: [shipperPart], logger });
  try {
    logger.info('deployment finished', { event: { dataset: DEPLOYMENTS, action: 'deployment-finished', outcome: 'success' } });
    logger.warn('project down', { event: { dataset: PROJECTS, action: 'project-status-changed' } });
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.equal(promtool(metrics), '', 'promtool check metrics reports nothing');
    assert.match(metrics, /^vigil_shipper_up 1$/m);
    assert.match(metrics, /^vigil_shipper_records_total\{result="acked"\} [1-9]/m);
    const dir = join(vigil.dir, 'data', 'logs');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
    assert.ok(files.length > 0 && files.every((f) => /^vigil-\d{12}\.ndjson$/.test(f)), files.join());
    const docs = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8'))))
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event?: Record<string, unknown>; service?: Record<string, unknown>; [key: string]: unknown });
    const started = docs.find((d) => d.event?.action === 'vigil-started');
    assert.ok(started, 'the app\'s own "ready" record is there');
    const deployment = docs.find((d) => d.event?.action === 'deployment-finished');
    assert.ok(deployment);
    assert.equal(deployment.event?.dataset, 'vigil.deployments');
    assert.equal(deployment['log.level'], 'info', 'ECS logging keeps log.level dotted; Filebeat expands it (expand_keys)');
    assert.equal(deployment.service?.name, 'vigil');
    assert.equal(typeof deployment['@timestamp'], 'string');
    assert.equal(typeof deployment['ecs.version'], 'string');
    assert.equal(docs.find((d) => d.event?.action === 'project-status-changed')?.['log.level'], 'warn');
  } finally {
    await vigil.stop();
  }
});

test('with ELASTICSEARCH_URL: templates and ILM installed from elasticsearch/, records in data streams, metrics valid', async () => {
  const es = await startMockElasticsearch();
  const logger = createLogger({ level: 'info', silent: true });
  const vigil = await startVigil(YAML, { parts: [shipperPart], logger, env: { ELASTICSEARCH_URL: es.url } });
  try {
    await logRecords(logger, 50, 0, PROJECTS);
    await until('records stored', () => es.storedIds('logs-vigil.projects-default').length === 50);
    const policy = es.puts.get('/_ilm/policy/logs-vigil') as { policy: { phases: { delete: { min_age: string } } } };
    assert.equal(policy.policy.phases.delete.min_age, '7d', 'retention_days replaces the delete phase age');
    const template = JSON.parse(await readFile(join(import.meta.dirname, '../../elasticsearch/index-templates/logs-vigil.json'), 'utf8')) as unknown;
    assert.deepEqual(es.puts.get('/_index_template/logs-vigil'), template, 'the index template is the file, as is');
    assert.ok(es.storedIds('logs-vigil.app-default').length > 0, 'the app\'s own records go to logs-vigil.app-default');
    const metrics = await (await fetch(`${vigil.url}/metrics`)).text();
    assert.equal(promtool(metrics), '');
    assert.match(metrics, /^vigil_shipper_up 1$/m);
    // a record logged just before stop is sent by the graceful shutdown
    logger.info('last words', { event: { dataset: APP_DATASET, action: 'last-words' } });
    await vigil.stop();
    const app = [...(es.stored.get('logs-vigil.app-default')?.values() ?? [])] as { event?: { action?: string } }[];
    assert.ok(app.some((d) => d.event?.action === 'last-words'));
  } finally {
    await vigil.stop().catch(() => undefined);
    await es.close();
  }
});

test('stopped while Elasticsearch is down: the spool keeps the records and the next start sends them', async () => {
  const es = await startMockElasticsearch();
  es.mode = 'down';
  const dir = await mkdtemp(join(tmpdir(), 'vigil-shipper-'));
  try {
    const first = await startShipper({ ELASTICSEARCH_URL: es.url }, FAST, dir);
    await logRecords(first.logger, 400);
    await first.stop();
    assert.equal(es.storedIds().length, 0);
    es.mode = 'up';
    const second = await startShipper({ ELASTICSEARCH_URL: es.url }, FAST, dir);
    const seqs = (): number[] => [...(es.stored.get('logs-vigil.app-default')?.values() ?? [])].map(seqOf).filter((s) => s >= 0);
    await until('records from before the stop', () => seqs().length === 400);
    await second.stop();
    assert.deepEqual(seqs().sort((a, b) => a - b), Array.from({ length: 400 }, (_, i) => i));
  } finally {
    await es.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a reload applies a new namespace to the records that follow; the spool and its records stay', async () => {
  const es = await startMockElasticsearch();
  const s = await startShipper({ ELASTICSEARCH_URL: es.url });
  try {
    await logRecords(s.logger, 10);
    const appSeqs = (index: string): number[] => [...(es.stored.get(index)?.values() ?? [])].map(seqOf).filter((n) => n >= 0);
    await until('first records', () => appSeqs('logs-vigil.app-default').length === 10);
    await s.shipper.reload(parseConfig('shipper:\n  namespace: prod\n  bulk: { flush_interval: 20ms }\n', 'vigil.yml', {}).shipper);
    await logRecords(s.logger, 10, 10);
    await until('records after the reload', () => appSeqs('logs-vigil.app-prod').length === 10);
    assert.deepEqual(appSeqs('logs-vigil.app-prod').sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => i + 10));
    assert.equal(appSeqs('logs-vigil.app-default').length, 10);
  } finally {
    await s.cleanup();
    await es.close();
  }
});

test('a reload that cannot build the new sender is refused with a clear error and the previous sender keeps shipping', async () => {
  const es = await startMockElasticsearch();
  const assetsDir = await mkdtemp(join(tmpdir(), 'vigil-assets-'));
  await cp(ASSETS_DIR, assetsDir, { recursive: true });
  const s = await startShipper({ ELASTICSEARCH_URL: es.url }, FAST, undefined, { assetsDir });
  try {
    const appSeqs = (index: string): number[] => [...(es.stored.get(index)?.values() ?? [])].map(seqOf).filter((n) => n >= 0);
    await logRecords(s.logger, 10);
    await until('first records', () => appSeqs('logs-vigil.app-default').length === 10);
    // the ILM policy loses its delete phase: the new configuration's assets cannot be loaded
    const ilm = join(assetsDir, 'ilm');
    for (const f of await readdir(ilm)) await writeFile(join(ilm, f), '{"policy":{"phases":{"hot":{"actions":{}}}}}');
    await assert.rejects(
      s.shipper.reload(parseConfig('shipper:\n  namespace: prod\n  bulk: { flush_interval: 20ms }\n', 'vigil.yml', {}).shipper),
      /shipper: cannot apply the new configuration, the previous one keeps shipping: .*expected a delete phase/,
    );
    await logRecords(s.logger, 10, 10);
    await until('records after the refused reload, in the old namespace', () => appSeqs('logs-vigil.app-default').length === 20);
    assert.equal(appSeqs('logs-vigil.app-prod').length, 0);
    assert.equal(await s.metric('vigil_shipper_up'), 1);
  } finally {
    await s.cleanup();
    await es.close();
    await rm(assetsDir, { recursive: true, force: true });
  }
});

test('Elasticsearch credentials and CA come from env vars or *_FILE, with clear errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-es-env-'));
  try {
    await writeFile(join(dir, 'key'), 'c2VjcmV0\n');
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(await esSettingsFromEnv({}), undefined);
    assert.deepEqual(await esSettingsFromEnv({ ELASTICSEARCH_URL: 'https://es:9200/', ELASTICSEARCH_API_KEY_FILE: join(dir, 'key'), ELASTICSEARCH_CA_FILE: join(dir, 'ca.pem') }), {
      url: 'https://es:9200',
      auth: { apiKey: 'c2VjcmV0' },
      ca: '-----BEGIN CERTIFICATE-----\n',
    });
    assert.deepEqual((await esSettingsFromEnv({ ELASTICSEARCH_URL: 'http://es:9200', ELASTICSEARCH_USERNAME: 'vigil', ELASTICSEARCH_PASSWORD: 'pw' }))?.auth, {
      username: 'vigil',
      password: 'pw',
    });
    const bad: [Record<string, string>, RegExp][] = [
      [{ ELASTICSEARCH_URL: 'es:9200' }, /ELASTICSEARCH_URL: expected an http/],
      [{ ELASTICSEARCH_URL: 'http://u:p@es:9200' }, /no credentials in the URL/],
      [{ ELASTICSEARCH_URL: 'http://es', ELASTICSEARCH_USERNAME: 'u' }, /expected both or neither/],
      [{ ELASTICSEARCH_URL: 'http://es', ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_API_KEY_FILE: join(dir, 'key') }, /both set/],
      [{ ELASTICSEARCH_URL: 'http://es', ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_PASSWORD: 'p', ELASTICSEARCH_USERNAME: 'u' }, /one kind of credentials/],
      [{ ELASTICSEARCH_URL: 'http://es', ELASTICSEARCH_CA_FILE: join(dir, 'missing.pem') }, /ELASTICSEARCH_CA_FILE: cannot read .*ENOENT/],
    ];
    for (const [env, message] of bad) await assert.rejects(esSettingsFromEnv(env), message);
    // the app refuses to start with a bad setting, naming the variable, and the secret is not echoed
    await assert.rejects(startVigil('', { parts: [shipperPart], env: { ELASTICSEARCH_URL: 'http://es', ELASTICSEARCH_USERNAME: 'topsecret' } }), (err: Error) => {
      assert.match(err.message, /ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD/);
      assert.doesNotMatch(err.message, /topsecret/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
