import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFileReader, type FileReader } from '../../../exporters/host/file-reader';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-reader-'));
});
after(() => rm(dir, { recursive: true, force: true }));

for (const [kind, create] of [['file reader', createFileReader]] as const) {
  describe(kind, () => {
    let reader: FileReader;
    before(() => {
      reader = create();
    });
    after(() => reader.close());

    test('reads the whole file, and its new content after it changes in place', async () => {
      const file = join(dir, `${kind}-a`);
      await writeFile(file, 'first\n');
      assert.equal(await reader.read(file), 'first\n');
      await writeFile(file, 'second, longer\n');
      assert.equal(await reader.read(file, { single: true }), 'second, longer\n');
      await writeFile(file, 'x\n');
      assert.equal(await reader.read(file), 'x\n');
    });

    test('reads files larger than its buffer', async () => {
      const file = join(dir, `${kind}-big`);
      const text = 'line of /proc/1/mounts\n'.repeat(20_000);
      await writeFile(file, text);
      assert.equal(await reader.read(file), text);
      assert.equal(await reader.read(file, { single: true }), text);
    });

    test('reads of one path asked for together share one answer', async () => {
      const file = join(dir, `${kind}-shared`);
      await writeFile(file, 'shared\n');
      const a = reader.read(file);
      const b = reader.read(file);
      assert.equal(a, b);
      const other = join(dir, `${kind}-other`);
      await writeFile(other, 'other\n');
      assert.deepEqual(await Promise.all([a, b, reader.read(other)]), ['shared\n', 'shared\n', 'other\n']);
    });

    test('a short read of a seq_file far below a page ends the file; one nearer a page reads on', async () => {
      const small = join(dir, `${kind}-records-small`);
      const large = join(dir, `${kind}-records-large`);
      const line = (i: number): string => `  eth${i}: ${'1234567 '.repeat(16)}\n`;
      const smallText = Array.from({ length: 4 }, (_, i) => line(i)).join('');
      const largeText = Array.from({ length: 60 }, (_, i) => line(i)).join('');
      await writeFile(small, smallText);
      await writeFile(large, largeText);
      assert.equal(await reader.read(small, { maxRecordBytes: 512 }), smallText);
      assert.equal(await reader.read(large, { maxRecordBytes: 512 }), largeText);
      assert.match(await reader.read('/proc/net/dev', { maxRecordBytes: 512 }), /^Inter-\|[\s\S]*\blo:/);
    });

    test('reads real procfs and sysfs files afresh each time', async () => {
      const a = await reader.read('/proc/self/stat', { single: true });
      const pid = Number(a.split(' ')[0]);
      assert.equal(pid, process.pid);
      assert.match(await reader.read('/proc/loadavg', { single: true }), /^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\n$/);
    });

    test('a missing file rejects with its errno code, and later appears', async () => {
      const file = join(dir, `${kind}-late`);
      await assert.rejects(reader.read(file), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
      await writeFile(file, 'now here\n');
      assert.equal(await reader.read(file), 'now here\n');
    });

    test('a read asked for while close() runs is still answered', async () => {
      const file = join(dir, `${kind}-closing`);
      await writeFile(file, 'during close\n');
      assert.equal(await reader.read(file), 'during close\n');
      const closing = reader.close();
      const during = reader.read(file);
      await closing;
      assert.equal(await during, 'during close\n');
    });

    test('forget() closes a kept-open file; the next read opens the file now at that path', async () => {
      const file = join(dir, `${kind}-forget`);
      await writeFile(file, 'one\n');
      assert.equal(await reader.read(file, { single: true }), 'one\n');
      await rm(file);
      await writeFile(file, 'two\n');
      assert.equal(await reader.read(file, { single: true }), 'one\n', 'the kept-open descriptor still reads the old file');
      reader.forget(file);
      assert.equal(await reader.read(file, { single: true }), 'two\n');
    });

    test('works again after close', async () => {
      const file = join(dir, `${kind}-reopen`);
      await writeFile(file, 'again\n');
      assert.equal(await reader.read(file), 'again\n');
      await reader.close();
      assert.equal(await reader.read(file), 'again\n');
    });
  });
}
