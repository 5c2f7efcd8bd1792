/**
 * Loads the MNIST sprites in a Web Worker: fetch, verify size and SHA-256 against the manifest,
 * and decode them (decodeSheet.ts) on decoder workers of their own, in parallel (decoders.ts).
 * The result is byte for byte the IDX files' content.
 * In a worker: the page thread never holds the data set.
 */
import { checkManifest, type DataFile, type Manifest, type Shard } from './manifest';
import { IMAGE_SIZE, type MnistData, type MnistSplit } from '../../shared/mnist';
import { createDecoders, type Decoders } from './decoders';

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
  imagesLoaded: number;
  imagesTotal: number;
}

import { DataError } from './dataError';
import { formatCount } from '../../shared/format';
import { shareableBuffer } from '../../shared/memory';

export { DataError };

/** A stalled request fails instead of hanging the page's status forever. */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * Loads every shard and label file listed in `${baseUrl}manifest.json`, in parallel.
 * Rejects with a DataError naming the file when one is missing, truncated or corrupt.
 * `onFetched` is called once every file has arrived and been verified (the rest is decoding), or
 * the load has failed.
 */
export async function loadMnist(
  baseUrl: string,
  onProgress: (p: LoadProgress) => void,
  onFetched: () => void = () => {},
): Promise<MnistData> {
  const fetching: Promise<unknown>[] = [];
  const fetched = (p: Promise<Uint8Array>) => {
    fetching.push(p);
    return p;
  };
  // The decoder workers start while the manifest is on its way: a worker takes tens of ms to
  // start (docs/performance.md), which the first sheet then does not wait for.
  const decoders: Decoders = createDecoders();
  const manifest = await fetchManifest(baseUrl).catch((e: unknown) => {
    decoders.close();
    onFetched();
    throw e;
  });
  const { train, test } = manifest.splits;
  const files: DataFile[] = [train.labels, test.labels, ...train.shards, ...test.shards];
  const progress: LoadProgress = {
    loadedBytes: 0,
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    imagesLoaded: 0,
    imagesTotal: train.count + test.count,
  };
  let failed = false;
  // After one file fails the load is lost: the others finish quietly instead of reporting progress.
  const report = () => failed || onProgress({ ...progress });
  report();
  const onBytes = (n: number) => {
    progress.loadedBytes += n;
    report();
  };

  const loadSplit = async (split: Manifest['splits']['train']): Promise<MnistSplit> => {
    const images = imageBytes(split.count * IMAGE_SIZE);
    const decodeShard = async (shard: Shard) => {
      const into = images.subarray(shard.first * IMAGE_SIZE, (shard.first + shard.count) * IMAGE_SIZE);
      // Decoded as it arrives; its images are used only once the whole file has been verified.
      const sheet = decoders.open(shard, manifest.sheetColumns, into);
      const bytes = await fetched(fetchVerified(baseUrl, shard, onBytes, sheet.push));
      await sheet.end(bytes);
      progress.imagesLoaded += shard.count;
      report();
    };
    const [labels] = await Promise.all([
      fetched(fetchVerified(baseUrl, split.labels, onBytes)),
      ...split.shards.map(decodeShard),
    ]);
    if (labels.length !== split.count) {
      throw new DataError(
        'data-corrupt',
        `${split.labels.file} has ${labels.length} labels, expected ${split.count}`,
      );
    }
    return { count: split.count, images, labels };
  };

  const splits = Promise.all([loadSplit(train), loadSplit(test)]);
  // Every fetch has started by now (loadSplit starts them before its first await).
  void Promise.all(fetching).then(onFetched, onFetched);
  const [trainSplit, testSplit] = await splits
    .catch((e: unknown) => {
      failed = true;
      throw e;
    })
    .finally(() => decoders.close());
  return { train: trainSplit, test: testSplit, bytes: progress.totalBytes };
}

async function fetchManifest(baseUrl: string): Promise<Manifest> {
  const response = await fetchOrFail(`${baseUrl}manifest.json`, 'manifest.json');
  try {
    return checkManifest(await response.json());
  } catch (e) {
    throw new DataError(
      'data-corrupt',
      e instanceof SyntaxError ? 'manifest.json is not valid JSON' : String((e as Error).message),
    );
  }
}

async function fetchOrFail(url: string, name: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    const why =
      (e as Error).name === 'TimeoutError'
        ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
        : (e as Error).message;
    throw new DataError(
      'data-missing',
      `${name} could not be loaded (${why}). Check that the server is running.`,
    );
  }
  if (!response.ok) {
    throw new DataError(
      'data-missing',
      `${name} could not be loaded (HTTP ${response.status}). Run npm run data to build the data files, then reload.`,
    );
  }
  return response;
}

/**
 * Fetches one file, counting bytes as they stream in, and checks its size and SHA-256. Each piece
 * goes to `onPiece` too as it arrives, once copied: it may take the piece over.
 */
async function fetchVerified(
  baseUrl: string,
  file: DataFile,
  onBytes: (n: number) => void,
  onPiece: (piece: Uint8Array) => void = () => {},
): Promise<Uint8Array> {
  const response = await fetchOrFail(`${baseUrl}${file.file}`, file.file);
  const bytes = new Uint8Array(file.bytes);
  let size = 0;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.length <= bytes.length) bytes.set(value, size);
      size += value.length;
      onBytes(value.length);
      onPiece(value);
    }
  } catch (e) {
    throw new DataError('data-missing', `${file.file} stopped loading part way (${(e as Error).message}).`);
  }
  if (size !== file.bytes) {
    throw new DataError(
      'data-corrupt',
      `${file.file} is ${formatCount(size)} bytes, expected ${formatCount(file.bytes)}: ` +
        `the file is ${size < file.bytes ? 'truncated' : 'corrupt'}. Rebuild it with npm run data.`,
    );
  }
  // crypto.subtle exists only in secure contexts (https, localhost); elsewhere the size check stands alone.
  if (globalThis.crypto?.subtle) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    if (hex !== file.sha256) {
      throw new DataError(
        'data-corrupt',
        `${file.file} is corrupt: its SHA-256 does not match the manifest. Rebuild it with npm run data.`,
      );
    }
  }
  return bytes;
}

/**
 * `n` bytes for a split's images: in shared memory where the page is cross-origin isolated, else
 * in the worker's own. Nothing writes them once loaded, and the evaluator's worker gets them too
 * (evaluation/port.ts): shared, they are handed over as they are, where a copy of the 55 MB took
 * the training thread long enough to hold up a Train clicked as the data became ready
 * (docs/performance.md).
 */
function imageBytes(n: number): Uint8Array {
  return new Uint8Array(shareableBuffer(n));
}
