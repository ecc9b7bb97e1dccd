import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createComposer, loadTemplates } from './compose';
import type { RelayConfig } from './config';
import { parsePayload, type Payload } from './payload';
import { sendToRobot } from './robots/robot';
import { targetSecret } from './target-secret';

export const NOTIFY_USAGE = `usage: vigil notify test --target NAME [--config.file=PATH]
       vigil notify preview FILE [--target NAME] [--config.file=PATH]

  test      sends a test message to the target's robot and prints the robot's answer
  preview   renders an Alertmanager webhook payload (JSON file) to each target's message, sends nothing
`;

export interface NotifyIo {
  /** The relay section of the configuration file (a ConfigError when it is invalid). */
  loadRelayConfig(file: string): Promise<RelayConfig>;
  now(): number;
  out(text: string): void;
  err(text: string): void;
}

/** The payload `vigil notify test` sends: one firing alert that says what it is. */
export function testPayload(now: number): Payload {
  const labels = { alertname: 'VigilNotifyTest', severity: 'info' };
  return {
    version: '4',
    groupKey: 'vigil-notify-test',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'vigil notify test',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: '',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: 'Test message from Vigil', description: 'Sent by `vigil notify test`: the relay can reach this robot.' },
        startsAt: new Date(now).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: '',
      },
    ],
  };
}

/** `vigil notify ...`; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function notifyCommand(argv: readonly string[], io: NotifyIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { target: { type: 'string' }, 'config.file': { type: 'string', default: 'vigil.yml' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    io.err(`vigil notify: ${(err as Error).message}\n\n${NOTIFY_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, file, ...rest] = positionals;
  if (values.help) {
    io.out(NOTIFY_USAGE);
    return 0;
  }
  if ((sub !== 'test' && sub !== 'preview') || rest.length > 0 || (sub === 'test' && (file !== undefined || !values.target)) || (sub === 'preview' && file === undefined)) {
    io.err(`vigil notify: ${sub === 'test' ? 'test needs --target NAME' : sub === 'preview' ? 'preview needs a payload FILE' : 'expected "test" or "preview"'}\n\n${NOTIFY_USAGE}`);
    return 2;
  }
  const cfg = await io.loadRelayConfig(values['config.file']);
  const names = values.target !== undefined ? [values.target] : Object.keys(cfg.targets);
  for (const name of names) {
    if (!cfg.targets[name]) {
      io.err(`vigil notify: no relay target ${JSON.stringify(name)} in ${values['config.file']}; configured: ${Object.keys(cfg.targets).join(', ') || 'none'}\n`);
      return 2;
    }
  }
  if (sub === 'test') return sendTest(cfg, names[0] as string, io);
  return preview(cfg, names, file as string, io);
}

async function sendTest(cfg: RelayConfig, name: string, io: NotifyIo): Promise<number> {
  const target = cfg.targets[name] as RelayConfig['targets'][string];
  const compose = createComposer(cfg, target, await targetSecret(name, target), loadTemplates(cfg), () => undefined);
  const message = compose([testPayload(io.now())], io.now());
  const answer = await sendToRobot(message.request, cfg.request_timeout);
  if ('error' in answer) {
    io.err(`${name}: no answer from ${new URL(target.url).host}: ${answer.error}\n`);
    return 1;
  }
  io.out(`${name}: HTTP ${answer.status} ${answer.body}\n${answer.outcome.kind === 'ok' ? 'delivered' : `not delivered (${answer.outcome.kind}): ${answer.outcome.reason}`}\n`);
  return answer.outcome.kind === 'ok' ? 0 : 1;
}

async function preview(cfg: RelayConfig, names: readonly string[], file: string, io: NotifyIo): Promise<number> {
  let body: unknown;
  try {
    body = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    io.err(`vigil notify: cannot read ${file} as JSON: ${(err as Error).message}\n`);
    return 1;
  }
  const parsed = parsePayload(body);
  if (!parsed.ok) {
    io.err(`vigil notify: ${file} is not an Alertmanager webhook payload (version 4):\n${parsed.problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  }
  const templates = loadTemplates(cfg);
  for (const name of names) {
    const target = cfg.targets[name] as RelayConfig['targets'][string];
    // Preview never signs: the secret is not needed to see the text.
    const message = createComposer(cfg, target, undefined, templates, (err) => io.err(`${name}: ${(err as Error).message}; the built-in template was used\n`))([parsed.payload], io.now());
    io.out(`== ${name} (${target.type}, ${Buffer.byteLength(message.text)} of ${target.max_bytes} bytes, ${message.shown} of ${message.total} alerts) ==\n${message.text}\n`);
  }
  return 0;
}
