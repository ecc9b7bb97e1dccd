import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIsolatedStatfs } from '../../../exporters/host/isolated-statfs';

describe('isolated statfs', () => {
  test('answers statfs(2) from its own thread, and errors with their code', async () => {
    const iso = createIsolatedStatfs({ stuckAfterMs: () => 1000 });
    try {
      const got = await iso.statfs('/');
      const want = statfsSync('/');
      assert.deepEqual([got.bsize, got.blocks, got.files], [want.bsize, want.blocks, want.files]);
      assert.ok(got.bavail <= got.blocks);
      await assert.rejects(iso.statfs('/no/such/mount'), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    } finally {
      await iso.close();
    }
  });

  test('a call stuck past the limit retires its thread: later calls are answered by a new one', async () => {
    // Stand-in thread code: "/hang" blocks its thread (for at most 5 s), anything else answers.
    const source = `
      const { parentPort } = require('node:worker_threads');
      parentPort.on('message', ({ id, path }) => {
        if (path === '/hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);
        parentPort.postMessage({ id, stats: { bsize: 4096, blocks: path === '/hang' ? 1 : 2, bfree: 0, bavail: 0, files: 0, ffree: 0 } });
      });`;
    const iso = createIsolatedStatfs({ stuckAfterMs: () => 50, workerSource: source });
    let hangAnswered = false;
    const hang = iso.statfs('/hang').then(() => (hangAnswered = true));
    await sleep(100);
    const other = await iso.statfs('/data');
    assert.equal(other.blocks, 2);
    assert.equal(hangAnswered, false, 'the second call did not wait behind the hung one');
    await iso.close();
    void hang;
  });
});
