import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_FILE as FILE, configErrorOf } from '../../helpers/config';
import { parseConfig } from '../../../bin/parts';



/** A projects: section with one target whose first check is `check`. */
function withCheck(check: string, target = ''): string {
  return `projects:\n  targets:\n    - name: web\n${target}      checks:\n        - ${check}\n`;
}

test('projects: defaults come from the schema', () => {
  const config = parseConfig(withCheck('{type: http, url: "http://127.0.0.1:1/"}'), FILE, {});
  const p = config.projects;
  assert.equal(p.enabled, true);
  assert.equal(p.interval, 60_000);
  assert.equal(p.concurrency, 32);
  const target = p.targets[0];
  assert.ok(target);
  assert.equal(target.interval, 60_000);
  assert.equal(target.retries, 1);
  assert.deepEqual(target.labels, {});
  const check = target.checks[0];
  assert.ok(check?.type === 'http');
  assert.equal(check.name, 'http');
  assert.equal(check.method, 'GET');
  assert.equal(check.timeout, 10_000);
  assert.equal(check.tls_verify, true);
  assert.deepEqual(check.expected_status_codes, [{ min: 200, max: 299 }]);
  assert.deepEqual(parseConfig('', FILE, {}).projects.targets, []);
});

test('projects: a project inherits the interval, overrides it, and short intervals shorten the default timeout', () => {
  const yaml = `projects:
  interval: 30s
  targets:
    - name: a
      checks: [{type: tcp, address: "127.0.0.1:1"}]
    - name: b
      interval: 5s
      retries: 3
      labels: {team: web, environment: prod, url: "https://example.com/"}
      checks: [{type: process, name: daemon, pid_file: /run/x.pid}, {type: http, url: "https://example.com/", headers: {Authorization: "Bearer \${TOKEN}"}, expected_status_codes: [200, 3xx]}]
`;
  const p = parseConfig(yaml, FILE, { TOKEN: 's3cret' }).projects;
  assert.equal(p.targets[0]?.interval, 30_000);
  assert.equal(p.targets[0]?.checks[0]?.timeout, 10_000);
  assert.equal(p.targets[1]?.interval, 5_000);
  assert.equal(p.targets[1]?.checks[0]?.timeout, 5_000);
  assert.deepEqual(p.targets[1]?.labels, { team: 'web', environment: 'prod', url: 'https://example.com/' });
  const http = p.targets[1]?.checks[1];
  assert.ok(http?.type === 'http');
  assert.equal(http.headers.Authorization, 'Bearer s3cret');
  assert.deepEqual(http.expected_status_codes, [{ min: 200, max: 200 }, { min: 300, max: 399 }]);
});

test('projects: invalid sections give the key path and what was expected', () => {
  const table: [string, string][] = [
    ['projects: {colour: blue}', 'projects: unknown key "colour"'],
    ['projects: {interval: 500ms}', 'projects.interval: expected an interval of at least 1s, like "15s", "90s", "5m" or "1h"'],
    ['projects: {interval: soon}', 'projects.interval: expected a duration like "500ms", "5s", "1m" or "1h", got "soon"'],
    ['projects: {concurrency: 0}', 'projects.concurrency: Too small: expected number to be >=1'],
    ['projects: {concurrency: 2.5}', 'projects.concurrency: Invalid input: expected int, received number'],
    ['projects: {targets: {web: 1}}', 'projects.targets: Invalid input: expected array, received object'],
    ['projects:\n  targets:\n    - name: web\n      checks: []', 'projects.targets[0].checks: expected at least one check'],
    ['projects:\n  targets:\n    - name: "web site"\n      checks: [{type: tcp, address: "a:1"}]', 'projects.targets[0].name: expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    [
      'projects:\n  targets:\n    - {name: web, checks: [{type: tcp, address: "a:1"}]}\n    - {name: web, checks: [{type: tcp, address: "a:1"}]}',
      'projects.targets[1].name: duplicate project name "web"',
    ],
    [withCheck('{type: tcp, address: "a:1"}', '      retries: 0\n'), 'projects.targets[0].retries: Too small: expected number to be >=1'],
    [withCheck('{type: tcp, address: "a:1"}', '      labels: {team-name: web}\n'), 'projects.targets[0].labels.team-name: expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")'],
    [withCheck('{type: tcp, address: "a:1"}', '      labels: {__name__: web}\n'), 'projects.targets[0].labels.__name__: expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")'],
    [withCheck('{type: tcp, address: "a:1"}', '      labels: {project: other}\n'), 'projects.targets[0].labels.project: label name "project" is reserved'],
    [withCheck('{type: tcp, address: "a:1"}', '      labels: {team: 7}\n'), 'projects.targets[0].labels.team: Invalid input: expected string, received number'],
    [withCheck('{type: tcp, address: "a:1"}', '      owner: me\n'), 'projects.targets[0]: unknown key "owner"'],
    [withCheck('{type: ftp, url: "ftp://x/"}'), 'projects.targets[0].checks[0].type: expected type "http", "tcp" or "process"'],
    [withCheck('{url: "http://x/"}'), 'projects.targets[0].checks[0].type: expected type "http", "tcp" or "process"'],
    [withCheck('{type: http}'), 'projects.targets[0].checks[0].url: Invalid input: expected string, received undefined'],
    [withCheck('{type: http, url: "ftp://x/"}'), 'projects.targets[0].checks[0].url: expected an http:// or https:// URL'],
    [withCheck('{type: http, url: "not a url"}'), 'projects.targets[0].checks[0].url: expected an http:// or https:// URL'],
    [withCheck('{type: http, url: "http://x/", method: FETCH}'), 'projects.targets[0].checks[0].method: Invalid option: expected one of "GET"|"HEAD"|"POST"|"PUT"|"DELETE"|"OPTIONS"|"PATCH"'],
    [withCheck('{type: http, url: "http://x/", headers: {"Bad Header": x}}'), 'projects.targets[0].checks[0].headers.Bad Header: expected an HTTP header name'],
    [withCheck('{type: http, url: "http://x/", expected_status_codes: [700]}'), 'projects.targets[0].checks[0].expected_status_codes[0]: expected a status code from 100 to 599 or a class like "2xx", got 700'],
    [withCheck('{type: http, url: "http://x/", expected_status_codes: [2xxx]}'), 'projects.targets[0].checks[0].expected_status_codes[0]: expected a status code from 100 to 599 or a class like "2xx", got "2xxx"'],
    [withCheck('{type: http, url: "http://x/", expected_status_codes: []}'), 'projects.targets[0].checks[0].expected_status_codes: expected at least one status code'],
    [withCheck('{type: http, url: "http://x/", body_matches: "(unclosed"}'), 'projects.targets[0].checks[0].body_matches: expected a regular expression: Invalid regular expression: /(unclosed/: Unterminated group'],
    [withCheck('{type: http, url: "http://x/", timeout: 0s}'), 'projects.targets[0].checks[0].timeout: expected a timeout greater than zero'],
    [withCheck('{type: http, url: "http://x/", timeout: 2m}'), "projects.targets[0].checks[0].timeout: expected a timeout no longer than the project's interval (60s)"],
    [withCheck('{type: http, url: "http://x/", tls_verify: "no"}'), 'projects.targets[0].checks[0].tls_verify: Invalid input: expected boolean, received string'],
    [withCheck('{type: http, url: "http://x/", follow: true}'), 'projects.targets[0].checks[0]: unknown key "follow"'],
    [withCheck('{type: tcp, address: "db.internal"}'), 'projects.targets[0].checks[0].address: expected HOST:PORT with a port from 1 to 65535, like "db.internal:5432" or "[::1]:80"'],
    [withCheck('{type: tcp, address: "db:70000"}'), 'projects.targets[0].checks[0].address: expected HOST:PORT with a port from 1 to 65535, like "db.internal:5432" or "[::1]:80"'],
    [withCheck('{type: process}'), 'projects.targets[0].checks[0]: expected exactly one of process_name, cmdline or pid_file'],
    [withCheck('{type: process, process_name: nginx, pid_file: /run/nginx.pid}'), 'projects.targets[0].checks[0]: expected exactly one of process_name, cmdline or pid_file'],
    [withCheck('{type: process, cmdline: "[x"}'), 'projects.targets[0].checks[0].cmdline: expected a regular expression: Invalid regular expression: /[x/: Unterminated character class'],
    [
      'projects:\n  targets:\n    - name: web\n      checks: [{type: tcp, address: "a:1"}, {type: tcp, address: "b:1"}]',
      'projects.targets[0].checks[1].name: duplicate check name "tcp"; give each check of the same type its own name',
    ],
    [withCheck('{type: tcp, name: "db check", address: "a:1"}'), 'projects.targets[0].checks[0].name: expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    [withCheck('{type: http, url: "http://x/", headers: {Authorization: "${TOKEN}"}}'), 'projects.targets[0].checks[0].headers.Authorization: environment variable TOKEN is not set'],
  ];
  for (const [yaml, expected] of table) assert.equal(configErrorOf(yaml), `${FILE}: ${expected}`, yaml);
});

test('any interval from one second is accepted: 90s, 7m, 5h', () => {
  for (const [text, ms] of [['90s', 90_000], ['7m', 420_000], ['5h', 18_000_000], ['1s', 1000]] as const) {
    assert.equal(parseConfig(`projects: {interval: ${text}}`, FILE, {}).projects.interval, ms, text);
  }
});
