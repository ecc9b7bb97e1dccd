import { parseArgs } from 'node:util';
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

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'config.file': { type: 'string', default: 'vigil.yml' },
  'web.listen-address': { type: 'string', default: '127.0.0.1:9470' },
  'web.route-prefix': { type: 'string', default: '' },
  'storage.path': { type: 'string' },
  'log.level': { type: 'string' },
} as const;

/** A parseArgs error as a usage error naming the flag ("unknown flag --x", "flag --x needs a value"). */
function usageError(err: unknown): UsageError {
  const e = err as { code?: string; message: string };
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown flag ${flag}`);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new UsageError(`flag ${flag} needs a value`);
  return new UsageError(e.message);
}

/** Prometheus-style flags ("--name=value" or "--name value") by node:util's parseArgs. */
export function parseFlags(argv: readonly string[]): Flags {
  if (argv.includes('-h') || argv.includes('--help')) return { command: 'help', configFile: '', listenAddress: '', routePrefix: '' };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageError(err);
  }
  const [command, extra] = parsed.positionals;
  if (command !== undefined && command !== 'serve' && command !== 'check-config') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const v = parsed.values;
  const level = v['log.level']?.trim();
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log.level: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  const storagePath = v['storage.path']?.trim();
  return {
    command: command ?? 'serve',
    configFile: v['config.file'].trim(),
    listenAddress: v['web.listen-address'].trim(),
    routePrefix: v['web.route-prefix'].trim(),
    ...(storagePath !== undefined ? { storagePath } : {}),
    ...(level !== undefined ? { logLevel: level as LogLevel } : {}),
  };
}
