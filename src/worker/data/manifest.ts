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

/** Checks the parts of the manifest the loader relies on; throws a message naming what is wrong. */
export function checkManifest(value: unknown): Manifest {
  const m = value as Partial<Manifest> | null;
  const fail = (what: string): never => {
    throw new Error(`manifest.json is not a valid data manifest: ${what}. Rebuild it with npm run data.`);
  };
  if (!m || typeof m !== 'object') return fail('not an object');
  if (m.imageSide !== 28) fail('imageSide is not 28');
  if (!Number.isInteger(m.sheetColumns) || (m.sheetColumns ?? 0) < 1) fail('sheetColumns is missing');
  for (const name of ['train', 'test'] as const) {
    const split = m.splits?.[name];
    if (!split || !Number.isInteger(split.count) || !split.labels || !Array.isArray(split.shards)) {
      return fail(`split "${name}" is missing or incomplete`);
    }
    const images = split.shards.reduce((n, s) => n + s.count, 0);
    if (images !== split.count) fail(`split "${name}" has shards for ${images} images, not ${split.count}`);
  }
  return m as Manifest;
}
