import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifest, type Manifest } from './manifest';

const REAL: Manifest = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'public', 'data', 'manifest.json'), 'utf8'),
);

/** The real manifest with one change made by `edit`. */
function edited(edit: (m: Manifest) => void): unknown {
  const m = structuredClone(REAL);
  edit(m);
  return m;
}

describe('the data manifest', () => {
  it('takes the manifest npm run data writes', () => {
    expect(checkManifest(REAL).splits.train.count).toBe(60_000);
  });

  it.each<[string, (m: Manifest) => void, RegExp]>([
    ['a shard of a terabyte', (m) => (m.splits.train.shards[0].bytes = 1e12), /train-0\.png: bytes/],
    ['a negative size', (m) => (m.splits.test.labels.bytes = -5), /test-labels\.u8: bytes/],
    ['three billion images', (m) => (m.splits.train.count = 3e9), /train: count/],
    ['a fractional count', (m) => (m.splits.test.shards[0].count = 10.5), /test-0\.png: count/],
    ['a path out of the data folder', (m) => (m.splits.train.shards[1].file = '../index.html'), /file name/],
    ['a hash that is not SHA-256', (m) => (m.splits.train.shards[2].sha256 = 'abc'), /sha256/],
    ['shards out of order', (m) => (m.splits.train.shards[1].first = 5), /train-1\.png: first/],
  ])('refuses %s, naming what is wrong', (_, edit, message) => {
    expect(() => checkManifest(edited(edit))).toThrow(message);
  });
});
