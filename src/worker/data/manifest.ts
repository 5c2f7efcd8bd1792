/** The shape of public/data/manifest.json, written by scripts/build-data.mjs. */

export interface DataFile {
  file: string;
  bytes: number;
  sha256: string;
}

export interface Shard extends DataFile {
  /** Index of the shard's first image in its split. */
  first: number;
  count: number;
}

export interface SplitManifest {
  count: number;
  labels: DataFile;
  shards: Shard[];
}

export interface Manifest {
  imageSide: number;
  sheetColumns: number;
  totalBytes: number;
  splits: { train: SplitManifest; test: SplitManifest };
}

/** The most images a split may claim: MNIST has 60,000 and 10,000 (100,000 is 78 MB of pixels). */
const MAX_IMAGES = 100_000;
/** The largest file the loader will allocate for (a 10,000-image shard is ~2 MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** A plain file name in the data folder: no path, nothing hidden. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const isWhole = (n: unknown, min: number, max: number): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/**
 * Checks every part of the manifest the loader relies on, before anything is allocated or
 * fetched from it: sizes and counts in range (a hostile or broken manifest must not make the
 * worker allocate a terabyte), file names in the data folder, SHA-256 hashes, shards that tile
 * their split. Throws a message naming the file and the field.
 */
export function checkManifest(value: unknown): Manifest {
  const m = value as Partial<Manifest> | null;
  const fail = (what: string): never => {
    throw new Error(`manifest.json is not a valid data manifest: ${what}. Rebuild it with npm run data.`);
  };
  if (!m || typeof m !== 'object') return fail('not an object');
  if (m.imageSide !== 28) fail('imageSide is not 28');
  if (!isWhole(m.sheetColumns, 1, 1000)) fail('sheetColumns is missing or out of range');
  const checkFile = (f: Partial<DataFile> | undefined, where: string) => {
    if (!f || typeof f.file !== 'string' || !FILE_NAME.test(f.file))
      return fail(`${where}: the file name must be a plain name in the data folder`);
    if (!isWhole(f.bytes, 1, MAX_FILE_BYTES))
      fail(`${f.file}: bytes must be a whole number from 1 to ${MAX_FILE_BYTES}`);
    if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      fail(`${f.file}: sha256 is not a SHA-256 hash`);
  };
  for (const name of ['train', 'test'] as const) {
    const split = m.splits?.[name];
    if (!split || !split.labels || !Array.isArray(split.shards))
      return fail(`split "${name}" is missing or incomplete`);
    if (!isWhole(split.count, 1, MAX_IMAGES))
      fail(`${name}: count must be a whole number from 1 to ${MAX_IMAGES}`);
    checkFile(split.labels, `${name} labels`);
    let next = 0;
    split.shards.forEach((shard, i) => {
      checkFile(shard, `${name} shard ${i}`);
      if (!isWhole(shard.count, 1, MAX_IMAGES))
        fail(`${shard.file}: count must be a whole number from 1 to ${MAX_IMAGES}`);
      if (shard.first !== next) fail(`${shard.file}: first must be ${next}, where the shard before it ends`);
      next += shard.count;
    });
    if (next !== split.count) fail(`split "${name}" has shards for ${next} images, not ${split.count}`);
  }
  return m as Manifest;
}
