import assert from 'node:assert/strict';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderFamilies } from '../../../core/exposition';
import { createHostCollectors } from '../../../exporters/host/collectors';
import { COLLECTOR_NAMES } from '../../../exporters/host/config';
import { createFileReader } from '../../../exporters/host/file-reader';
import { FIXED_NOW, FIXTURE_ADJTIMEX, GOLDEN, TEXTFILE, fixtureConfig, fixtureStatfs } from './fixtures';

/**
 * One golden file per collector: the fixture /proc and /sys rendered as Prometheus text.
 * `UPDATE_GOLDEN=1 node --import tsx --test test/exporters/host/golden.test.ts` rewrites them;
 * review the diff before committing (the values are checked by hand against the fixtures).
 */
const update = process.env.UPDATE_GOLDEN === '1';
const reader = createFileReader();
after(() => reader.close());
// A checkout sets the textfiles' mtimes; node_textfile_mtime_seconds needs fixed ones.
before(async () => {
  for (const f of await readdir(TEXTFILE)) await utimes(join(TEXTFILE, f), FIXED_NOW / 1000, FIXED_NOW / 1000);
});

describe('host collectors against golden files', () => {
  for (const name of COLLECTOR_NAMES) {
    test(`${name} renders test/fixtures/host/golden/${name}.prom`, async () => {
      const cfg = fixtureConfig(
        `  collectors: [${name}]\n  collector_timeout: 2s\n  filesystem: { mount_timeout: 100ms }\n  textfile: { directory: ${JSON.stringify(TEXTFILE)} }\n`,
      );
      const [collector, ...rest] = createHostCollectors(cfg, {
        reader,
        statfs: fixtureStatfs(),
        now: () => FIXED_NOW,
        zone: 'UTC',
        adjtimex: () => FIXTURE_ADJTIMEX,
      });
      assert.ok(collector);
      assert.equal(rest.length, 0);
      // The textfile collector's help names the file by its full path: the checkout's location.
      const text = renderFamilies(await collector.collect(new AbortController().signal)).replaceAll(TEXTFILE, '<textfile>');
      const file = join(GOLDEN, `${name}.prom`);
      if (update) await writeFile(file, text);
      assert.equal(text, await readFile(file, 'utf8'));
    });
  }
});
