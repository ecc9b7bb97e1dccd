import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
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
      assert.equal(reader.read(file), 'first\n');
      await writeFile(file, 'second, longer\n');
      assert.equal(reader.read(file, { single: true }), 'second, longer\n');
      await writeFile(file, 'x\n');
      assert.equal(reader.read(file), 'x\n');
    });

    test('reads files larger than its buffer', async () => {
      const file = join(dir, `${kind}-big`);
      const text = 'line of /proc/1/mounts\n'.repeat(20_000);
      await writeFile(file, text);
      assert.equal(reader.read(file), text);
      assert.equal(reader.read(file, { single: true }), text);
    });

    test('reads real procfs files on the calling thread, with one descriptor kept open per file', () => {
      const fds = (): number => readdirSync('/proc/self/fd').length;
      reader.read('/proc/loadavg', { single: true });
      const before = fds();
      for (let i = 0; i < 20; i++) assert.match(reader.read('/proc/loadavg', { single: true }), /^\d+\.\d+ /);
      assert.equal(fds(), before, 'no descriptor opened per read');
      reader.forget('/proc/loadavg');
      assert.equal(fds(), before - 1, 'forget() closes it');
    });

    test('a short read of a seq_file far below a page ends the file; one nearer a page reads on', async () => {
      const small = join(dir, `${kind}-records-small`);
      const large = join(dir, `${kind}-records-large`);
      const line = (i: number): string => `  eth${i}: ${'1234567 '.repeat(16)}\n`;
      const smallText = Array.from({ length: 4 }, (_, i) => line(i)).join('');
      const largeText = Array.from({ length: 60 }, (_, i) => line(i)).join('');
      await writeFile(small, smallText);
      await writeFile(large, largeText);
      assert.equal(reader.read(small, { maxRecordBytes: 512 }), smallText);
      assert.equal(reader.read(large, { maxRecordBytes: 512 }), largeText);
      assert.match(reader.read('/proc/net/dev', { maxRecordBytes: 512 }), /^Inter-\|[\s\S]*\blo:/);
    });

    test('reads real procfs and sysfs files afresh each time', () => {
      const a = reader.read('/proc/self/stat', { single: true });
      const pid = Number(a.split(' ')[0]);
      assert.equal(pid, process.pid);
      assert.match(reader.read('/proc/loadavg', { single: true }), /^\d+\.\d+ \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+\n$/);
    });

    test('a missing file rejects with its errno code, and later appears', async () => {
      const file = join(dir, `${kind}-late`);
      assert.throws(() => reader.read(file), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && (err.message.includes(file) || err.path === file));
      await writeFile(file, 'now here\n');
      assert.equal(reader.read(file), 'now here\n');
    });

    test('an attribute the device cannot report (EINVAL) fails with its code and keeps its descriptor', (t) => {
      const speed = '/sys/class/net/lo/speed'; // the loopback device has no link speed
      if (!existsSync(speed)) return t.skip('no /sys/class/net/lo');
      const fds = (): number => readdirSync('/proc/self/fd').length;
      const einval = (err: NodeJS.ErrnoException): boolean => err.code === 'EINVAL';
      assert.throws(() => reader.read(speed, { single: true }), einval);
      const before = fds();
      for (let i = 0; i < 5; i++) assert.throws(() => reader.read(speed, { single: true }), einval);
      assert.equal(fds(), before, 'the descriptor is kept, not reopened or leaked per read');
      reader.forget(speed);
      assert.equal(fds(), before - 1);
    });

    test('forget() closes a kept-open file; the next read opens the file now at that path', async () => {
      const file = join(dir, `${kind}-forget`);
      await writeFile(file, 'one\n');
      assert.equal(reader.read(file, { single: true }), 'one\n');
      await rm(file);
      await writeFile(file, 'two\n');
      assert.equal(reader.read(file, { single: true }), 'one\n', 'the kept-open descriptor still reads the old file');
      reader.forget(file);
      assert.equal(reader.read(file, { single: true }), 'two\n');
    });

    test('works again after close', async () => {
      const file = join(dir, `${kind}-reopen`);
      await writeFile(file, 'again\n');
      assert.equal(reader.read(file), 'again\n');
      await reader.close();
      assert.equal(reader.read(file), 'again\n');
    });
  });
}
