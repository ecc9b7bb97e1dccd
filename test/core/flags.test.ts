import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError } from '../../core/flags';
import { normalizePrefix, parseListenAddress } from '../../core/http-server';

test('flags default like Prometheus and accept both --a=b and --a b', () => {
  assert.deepEqual(parseFlags([]), {
    command: 'serve',
    configFile: 'vigil.yml',
    listenAddress: '127.0.0.1:9470',
    routePrefix: '',
  });
  assert.deepEqual(
    parseFlags(['serve', '--config.file', 'x.yml', '--web.listen-address=:9000', '--web.route-prefix=/vigil/', '--storage.path=/d', '--log.level=debug']),
    { command: 'serve', configFile: 'x.yml', listenAddress: ':9000', routePrefix: '/vigil/', storagePath: '/d', logLevel: 'debug' },
  );
  assert.equal(parseFlags(['check-config']).command, 'check-config');
  assert.equal(parseFlags(['serve', '-h']).command, 'help');
  assert.equal(parseFlags(['--help']).command, 'help');
});

test('bad flags are usage errors with the reason', () => {
  const table: [string[], string][] = [
    [['--web.listen'], 'unknown flag --web.listen'],
    [['--config.file'], 'flag --config.file needs a value'],
    [['--log.level=loud'], '--log.level: expected one of error, warn, info, debug, got "loud"'],
    [['start'], 'unknown command "start"'],
    [['serve', 'extra'], 'unexpected argument "extra"'],
    [['--config.file', '--log.level=info'], 'flag --config.file needs a value'],
  ];
  for (const [argv, message] of table) {
    assert.throws(() => parseFlags(argv), (err: Error) => err instanceof UsageError && err.message === message, argv.join(' '));
  }
});

test('listen addresses and route prefixes', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:9470'), { host: '127.0.0.1', port: 9470 });
  assert.deepEqual(parseListenAddress(':80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListenAddress('localhost'), /expected HOST:PORT/);
  assert.throws(() => parseListenAddress('a:70000'), /expected HOST:PORT/);
  assert.equal(normalizePrefix('/'), '');
  assert.equal(normalizePrefix('/project-dashboard/'), '/project-dashboard');
  assert.equal(normalizePrefix('x'), '/x');
});
