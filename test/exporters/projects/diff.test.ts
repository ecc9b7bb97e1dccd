import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../bin/parts';
import type { ProjectConfig } from '../../../exporters/projects/config';
import { diffProjects } from '../../../exporters/projects/diff';

const targets = (yaml: string): ProjectConfig[] => parseConfig(`projects:\n  targets:\n${yaml}`, 'vigil.yml', {}).projects.targets;
const byName = (list: ProjectConfig[]): Map<string, ProjectConfig> => new Map(list.map((t) => [t.name, t]));

const BEFORE = targets(`    - name: shop
      checks:
        - {type: http, name: web, url: "http://shop/"}
        - {type: tcp, name: db, address: "db:5432"}
    - name: blog
      checks:
        - {type: http, name: web, url: "http://blog/", body_matches: "ok.*"}
    - name: old
      checks:
        - {type: tcp, name: ssh, address: "old:22"}
`);

test('the same configuration is no change at all', () => {
  assert.deepEqual(diffProjects(byName(BEFORE), BEFORE), { removed: [], added: [], changed: [] });
  // Parsed again from the same text: equal values, other objects (RegExps compared by source).
  assert.deepEqual(diffProjects(byName(BEFORE), targets(`    - name: blog
      checks:
        - {type: http, name: web, url: "http://blog/", body_matches: "ok.*"}
`)).changed, []);
});

test('removed, added and changed projects; a changed project keeps only its unchanged checks', () => {
  const next = targets(`    - name: shop
      checks:
        - {type: http, name: web, url: "http://shop/"}
        - {type: tcp, name: db, address: "db:5433"}
        - {type: tcp, name: cache, address: "cache:6379"}
    - name: blog
      checks:
        - {type: http, name: web, url: "http://blog/", body_matches: "fine.*"}
    - name: new
      checks:
        - {type: tcp, name: ssh, address: "new:22"}
`);
  const diff = diffProjects(byName(BEFORE), next);
  assert.deepEqual(diff.removed, ['old']);
  assert.deepEqual(
    diff.added.map((p) => p.name),
    ['new'],
  );
  assert.deepEqual(
    diff.changed.map((c) => [c.config.name, [...c.keptChecks]]),
    [
      ['shop', ['web']],
      ['blog', []],
    ],
  );
  assert.equal(diff.changed[0]?.config, next[0]);
});

test('a label change alone changes the project, with every check kept', () => {
  const next = targets(`    - name: shop
      labels: {team: web}
      checks:
        - {type: http, name: web, url: "http://shop/"}
        - {type: tcp, name: db, address: "db:5432"}
`);
  const diff = diffProjects(byName(BEFORE.slice(0, 1)), next);
  assert.deepEqual(
    diff.changed.map((c) => [c.config.name, [...c.keptChecks].sort()]),
    [['shop', ['db', 'web']]],
  );
});
