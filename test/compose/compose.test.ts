/**
 * docker-compose.yml and docker-compose.scale.yml, through Debian's docker-compose (1.29): `config
 * -q` passes for every profile and for the scale override; a missing secret refuses with its
 * message; and the rendered services keep the rules of the stack: pinned tags, healthchecks,
 * named volumes or repo folders, ports on 127.0.0.1, the log half behind the `logs` profile.
 * (Docker itself does not run here: what the containers do is checked by format only.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The variables `${VAR:?message}` makes required, from the compose files themselves. */
async function requiredVars(): Promise<string[]> {
  const text = (await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) + (await readFile(join(ROOT, 'docker-compose.scale.yml'), 'utf8'));
  return [...new Set([...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1] as string))].sort();
}

async function compose(args: string[], env: Record<string, string>, envFile: string): Promise<{ code: number; out: string; err: string }> {
  // Only these variables: nothing from the developer's shell or a .env file leaks in.
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  try {
    const { stdout, stderr } = await run('docker-compose', ['--project-directory', ROOT, '--env-file', envFile, ...args], { cwd: ROOT, env: { ...base, ...env } });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

describe('docker-compose', () => {
  let env: Record<string, string>;
  let envFile: string;
  const LOG_HALF = ['elasticsearch', 'elasticsearch-exporter', 'filebeat', 'kibana', 'logs-setup'];

  before(async () => {
    env = Object.fromEntries((await requiredVars()).map((v) => [v, `test-${v.toLowerCase()}`]));
    env.SMTP_SMARTHOST = 'smtp.example.com:587';
    envFile = join(await mkdtemp(join(tmpdir(), 'vigil-compose-')), 'empty.env');
    await writeFile(envFile, '');
  });

  it('.env.example names every required variable, with no value', async () => {
    const example = await readFile(join(ROOT, '.env.example'), 'utf8');
    const given = new Map([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
    for (const v of await requiredVars()) assert.equal(given.get(v), '', `${v} in .env.example, empty`);
    // and every variable the compose files read is there
    const text = (await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) + (await readFile(join(ROOT, 'docker-compose.scale.yml'), 'utf8'));
    const used = new Set([...text.matchAll(/(?<!\$)\$\{([A-Z_]+)/g)].map((m) => m[1] as string));
    assert.deepEqual([...used].filter((v) => !given.has(v)), []);
  });

  for (const [name, args] of [
    ['default profile', ['config', '-q']],
    ['logs profile', ['--profile', 'logs', 'config', '-q']],
    ['scale override', ['-f', 'docker-compose.yml', '-f', 'docker-compose.scale.yml', 'config', '-q']],
    ['scale override with logs', ['-f', 'docker-compose.yml', '-f', 'docker-compose.scale.yml', '--profile', 'logs', 'config', '-q']],
  ] as const) {
    it(`docker-compose config -q: ${name}`, async () => {
      const { code, out, err } = await compose([...args], env, envFile);
      assert.equal(code, 0, err);
      assert.equal(out, '');
    });
  }

  it('refuses to render without each required secret, with its message', async () => {
    for (const v of await requiredVars()) {
      const { [v]: _dropped, ...rest } = env;
      const { code, err } = await compose(['config', '-q'], rest, envFile);
      assert.notEqual(code, 0, v);
      assert.match(err, new RegExp(`set ${v}`), `${v}: ${err}`);
    }
  });

  it('the rendered services: pinned images, healthchecks, 127.0.0.1 ports, named volumes or repo folders', async () => {
    const { code, out, err } = await compose(['-f', 'docker-compose.yml', '-f', 'docker-compose.scale.yml', '--profile', 'logs', 'config'], env, envFile);
    assert.equal(code, 0, err);
    const cfg = parse(out) as Compose;
    const named = new Set(Object.keys(cfg.volumes ?? {}));
    for (const [name, s] of Object.entries(cfg.services)) {
      if (s.image !== 'vigil:local') assert.match(s.image ?? '', /^[^:]+(\/[^:]+)*:v?\d+\.\d+\.\d+(-cluster)?$/, `${name}: image ${s.image ?? ''} pinned to a version`);
      if (name !== 'logs-setup') assert.ok(s.healthcheck?.test.length, `${name}: healthcheck`);
      for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:\d+:\d+\/tcp$/, `${name}: port ${p}`);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] as string;
        if (named.has(source)) continue;
        if (source === '/' || source === '/var/log') continue; // the host part and Filebeat read the host
        assert.ok(source.startsWith(ROOT) && existsSync(source), `${name}: ${v} is a named volume or a folder of the repo`);
        assert.match(v, /:ro$/, `${name}: repo folders are mounted read-only (${v})`);
      }
    }
    assert.equal(cfg.services.vigil?.image, 'vigil:local');
    assert.ok(cfg.services.vigil?.build, 'vigil is built from the Dockerfile');
    const grafana = cfg.services.grafana?.volumes ?? [];
    assert.ok(grafana.includes(`${ROOT}/grafana/provisioning:/etc/grafana/provisioning:ro`));
    assert.ok(grafana.includes(`${ROOT}/grafana/dashboards:/var/lib/grafana/dashboards/vigil:ro`));
    assert.ok((cfg.services['logs-setup']?.volumes ?? []).includes(`${ROOT}/elasticsearch/kibana:/vigil/kibana:ro`));
    assert.equal(cfg.services.alertmanager?.environment?.SMTP_SMARTHOST, 'smtp.example.com:587');
  });

  it('the log half, and only it, is behind the logs profile', async () => {
    // Debian's docker-compose 1.29 `config` lists every service whatever --profile says, so the
    // profiles are read from the file.
    const raw = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;
    const inLogs = Object.entries(raw.services).filter(([, s]) => s.profiles?.includes('logs')).map(([n]) => n).sort();
    assert.deepEqual(inLogs, LOG_HALF);
    const always = Object.entries(raw.services).filter(([, s]) => !s.profiles).map(([n]) => n).sort();
    assert.deepEqual(always, ['alertmanager', 'grafana', 'prometheus', 'vigil']);
  });

  it('the Dockerfile builds in one stage and runs as a non-root user in another', async () => {
    const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.equal(froms.length, 2);
    for (const f of froms) assert.match(f ?? '', /:\d+\.\d+\.\d+-/, `pinned base image ${f ?? ''}`);
    assert.match(text, /^COPY --from=build /m);
    assert.match(text, /^USER node$/m);
    assert.ok(text.lastIndexOf('USER node') > text.lastIndexOf('FROM '), 'USER in the final stage');
  });
});
