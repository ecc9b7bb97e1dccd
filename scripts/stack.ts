/**
 * `npm run stack`: the real Prometheus and Alertmanager (Debian's binaries) with the repo's
 * rules, routes and templates, against the Vigil running on this machine; data under
 * data/stack/; Ctrl-C stops both. The end-to-end tests start the stack with `launchStack` too.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAlertmanager, type RunningAlertmanager } from '../test/helpers/alertmanager';
import { startDaemon } from '../test/helpers/daemon';
import { freePort } from '../test/helpers/ports';
import { REPO, localPrometheusConfig, renderAlertmanagerConfig } from './stack-config';

export interface StackOptions {
  /** Where Prometheus's TSDB, Alertmanager's state and the rendered configurations go. */
  readonly dataDir: string;
  /** host:port of the Vigil to scrape (its relay receives the webhooks unless VIGIL_RELAY_URL says otherwise). */
  readonly vigil: string;
  readonly prometheusPort?: number;
  readonly alertmanagerPort?: number;
  /** Alertmanager's environment (SMTP_*, ALERT_EMAIL_TO, VIGIL_RELAY_URL...): over this process's. */
  readonly env?: Record<string, string>;
  /** The `host` label of this machine's targets. */
  readonly host?: string;
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** Extra top-level Prometheus settings (e.g. remote_write). */
  readonly prometheusExtra?: Record<string, unknown>;
  /** The fleet hosts' file_sd folder (default prometheus/targets/). */
  readonly targetsDir?: string;
  /** Print the programs' logs. */
  readonly echo?: boolean;
}

export interface RunningStack {
  readonly prometheusUrl: string;
  readonly alertmanager: RunningAlertmanager;
  prometheusLogs(): string;
  stop(): Promise<void>;
}

export async function launchStack(opts: StackOptions): Promise<RunningStack> {
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const amConfig = join(opts.dataDir, 'alertmanager.yml');
  await renderAlertmanagerConfig({ VIGIL_RELAY_URL: `http://${opts.vigil}`, WATCHDOG_URL: `http://${opts.vigil}/alerts/watchdog`, ...opts.env }, amConfig);
  const alertmanager = await startAlertmanager({
    configFile: amConfig,
    storageDir: join(opts.dataDir, 'alertmanager'),
    port: opts.alertmanagerPort,
    echo: opts.echo,
  });
  try {
    const port = opts.prometheusPort ?? (await freePort());
    const prometheus = `127.0.0.1:${port}`;
    const config = await localPrometheusConfig({
      vigil: opts.vigil,
      alertmanager: new URL(alertmanager.url).host,
      prometheus,
      host: opts.host,
      scrapeInterval: opts.scrapeInterval,
      evaluationInterval: opts.evaluationInterval,
      extra: opts.prometheusExtra,
      targetsDir: opts.targetsDir,
    });
    const promConfig = join(opts.dataDir, 'prometheus.yml');
    await writeFile(promConfig, config);
    const daemon = await startDaemon({
      command: 'prometheus',
      args: [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(opts.dataDir, 'prometheus')}`, `--web.listen-address=${prometheus}`, '--web.enable-lifecycle'],
      readyUrl: `http://${prometheus}/-/ready`,
      echo: opts.echo,
    });
    return {
      prometheusUrl: `http://${prometheus}`,
      alertmanager,
      prometheusLogs: () => daemon.logs(),
      async stop() {
        await daemon.stop();
        await alertmanager.stop();
      },
    };
  } catch (err) {
    await alertmanager.stop();
    throw err;
  }
}

/** The CLI: environment VIGIL_ADDRESS (127.0.0.1:9470), PROMETHEUS_PORT (9090), ALERTMANAGER_PORT (9093). */
async function main(): Promise<void> {
  const env = process.env;
  const local: Record<string, string> = {};
  // Without SMTP settings, email goes to the local MTA; say so rather than refuse to start.
  for (const [k, v] of Object.entries({ SMTP_SMARTHOST: '127.0.0.1:25', SMTP_FROM: 'vigil@localhost', ALERT_EMAIL_TO: 'root@localhost', SMTP_REQUIRE_TLS: 'false' })) {
    if (!env[k]) {
      local[k] = v;
      console.error(`stack: ${k} not set, using ${v}`);
    }
  }
  const stack = await launchStack({
    dataDir: join(REPO, 'data', 'stack'),
    vigil: env.VIGIL_ADDRESS ?? '127.0.0.1:9470',
    prometheusPort: Number(env.PROMETHEUS_PORT ?? 9090),
    alertmanagerPort: Number(env.ALERTMANAGER_PORT ?? 9093),
    env: local,
  });
  console.error(`stack: Prometheus ${stack.prometheusUrl}, Alertmanager ${stack.alertmanager.url}; data in data/stack; Ctrl-C stops`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.error('stack: stopping');
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(`stack: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
