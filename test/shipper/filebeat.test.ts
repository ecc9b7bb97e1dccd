import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createLogger } from '../../core/logger';
import { createShipper, LOCAL_LOGS_DIR } from '../../shipper/part';
import { shipperConfigSchema } from '../../shipper/config';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

interface Input {
  type: string;
  id: string;
  paths: string[];
  parsers?: { ndjson?: { expand_keys?: boolean; target?: string } }[];
}

/** Minimal glob for Filebeat's path patterns ("*" within one path segment). */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
}

test('filebeat.yml ships exactly the local files the shipper writes, as NDJSON with expand_keys, to logs-<dataset>-<namespace>', async () => {
  const config = parse(await readFile(join(import.meta.dirname, '../../filebeat/filebeat.yml'), 'utf8')) as {
    'filebeat.inputs': Input[];
    'output.elasticsearch': { index: string };
    'setup.template.enabled': boolean;
  };
  const vigil = config['filebeat.inputs'].find((i) => i.id === 'vigil');
  assert.ok(vigil);
  assert.equal(vigil.type, 'filestream');
  assert.equal(vigil.parsers?.[0]?.ndjson?.expand_keys, true);
  assert.equal(config['output.elasticsearch'].index, 'logs-%{[event.dataset]}-%{[data_stream.namespace]}');
  assert.equal(config['setup.template.enabled'], false);
  for (const id of ['nginx-access', 'nginx-error', 'system-syslog', 'system-auth']) {
    assert.ok(config['filebeat.inputs'].some((i) => i.id === id && i.type === 'filestream'), id);
  }

  // the path pattern, with VIGIL_DATA_DIR set to a real data dir, matches the files the shipper writes
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-filebeat-'));
  try {
    const logger = createLogger({ level: 'info', silent: true });
    const shipper = createShipper(shipperConfigSchema.parse({}), { logger, dataDir, env: {}, now: Date.now });
    await shipper.start();
    logger.info('hello filebeat', { event: { action: 'test' } });
    await shipper.stop();
    const written = (await readdir(join(dataDir, LOCAL_LOGS_DIR))).map((f) => join(dataDir, LOCAL_LOGS_DIR, f));
    const patterns = vigil.paths.map((p) => globToRegExp(p.replace(/\$\{VIGIL_DATA_DIR:[^}]*\}/, dataDir)));
    const shipped = written.filter((f) => patterns.some((re) => re.test(f)));
    assert.ok(shipped.length > 0, `${vigil.paths.join()} matches none of ${written.join()}`);
    assert.deepEqual(
      shipped,
      written.filter((f) => f.endsWith('.ndjson')),
      'every NDJSON file and nothing else (not the spool, not the dead-letter file)',
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
