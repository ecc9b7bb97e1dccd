import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changed } from '../../core/changed';

test('changed compares sections deeply, RegExps by source and flags (JSON.stringify cannot)', () => {
  assert.equal(changed({ a: /x/, b: [1, { c: 2 }] }, { a: /x/, b: [1, { c: 2 }] }), false);
  assert.equal(changed({ a: /x/ }, { a: /y/ }), true);
  assert.equal(JSON.stringify({ a: /x/ }) === JSON.stringify({ a: /y/ }), true, 'the reason for the helper');
  assert.equal(changed({ a: /x/ }, { a: /x/i }), true);
  assert.equal(changed({ b: [1, 2] }, { b: [2, 1] }), true);
  assert.equal(changed({ n: 1 }, { n: '1' }), true);
  assert.equal(changed({ n: 1 }, { n: 1, m: undefined }), true);
});
