import { LOG_LEVELS, type LogLevel } from './config';

export interface Flags {
  readonly command: 'serve' | 'check-config' | 'help';
  readonly configFile: string;
  readonly listenAddress: string;
  readonly routePrefix: string;
  readonly storagePath?: string;
  readonly logLevel?: LogLevel;
}

export const USAGE = `usage: vigil <command> [flags]

commands:
  serve          run every part the configuration enables
  check-config   validate the configuration file and exit
  notify         test a relay target or preview a message (vigil notify --help)

flags:
  --config.file=PATH            configuration file (default vigil.yml)
  --web.listen-address=HOST:PORT address to listen on (default 127.0.0.1:9470)
  --web.route-prefix=/PREFIX    serve every route below this prefix (default /)
  --storage.path=DIR            data directory (default: storage.path of the config, data/)
  --log.level=LEVEL             error, warn, info or debug (default: log.level of the config, info)
`;

export class UsageError extends Error {}

/** Prometheus-style flags: "--name=value" or "--name value". */
export function parseFlags(argv: readonly string[]): Flags {
  const values = new Map<string, string>();
  let command: Flags['command'] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return { command: 'help', configFile: '', listenAddress: '', routePrefix: '' };
    if (!arg.startsWith('--')) {
      if (command) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
      if (arg !== 'serve' && arg !== 'check-config') throw new UsageError(`unknown command ${JSON.stringify(arg)}`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq === -1) i++;
    if (!['config.file', 'web.listen-address', 'web.route-prefix', 'storage.path', 'log.level'].includes(name)) {
      throw new UsageError(`unknown flag --${name}`);
    }
    if (value === undefined) throw new UsageError(`flag --${name} needs a value`);
    value = value.trim();
    values.set(name, value);
  }
  const level = values.get('log.level');
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log.level: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  return {
    command: command ?? 'serve',
    configFile: values.get('config.file') ?? 'vigil.yml',
    listenAddress: values.get('web.listen-address') ?? '127.0.0.1:9470',
    routePrefix: values.get('web.route-prefix') ?? '',
    ...(values.has('storage.path') ? { storagePath: values.get('storage.path') } : {}),
    ...(level !== undefined ? { logLevel: level as LogLevel } : {}),
  };
}
