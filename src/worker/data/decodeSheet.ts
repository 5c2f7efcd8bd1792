/**
 * Decoding one MNIST sprite sheet (an 8-bit grayscale PNG, scripts/sprites.mjs): on a decoder
 * worker (decode.worker.ts) or inline. Pure apart from DecompressionStream: runs in Node too.
 *
 * The PNG is read here rather than by createImageBitmap and an OffscreenCanvas (what this did
 * before): a PNG's pixels are one zlib stream, which the browser's own zlib inflates
 * (DecompressionStream), and the sheets are written with every row unfiltered (which is also the
 * smallest file for MNIST: 1.65 MB against 1.86 MB with adaptive filters for 10,000 images), so
 * what is left is reading the chunk headers and copying the tiles out. The canvas path drew the
 * sheet into an RGBA bitmap four times its size and read it back: ~65 ms a sheet; inflating one
 * takes ~15 ms (Node's zlib, this machine). Rows with PNG's other filters are undone too, so
 * any 8-bit grayscale PNG of the right size reads.
 */
import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';
import { DataError } from './dataError';
import type { Shard } from './manifest';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The images of one sprite sheet (`shard`, a PNG), 784 bytes each, image i at tile (row
 * floor(i / columns), column i % columns), written into `out` (784 bytes an image, `shard.count`
 * images; a new array when none is given) and returned. Throws a DataError naming the file when it
 * is not the PNG the manifest describes.
 *
 * The pixel rows are taken from the inflating stream one at a time and each is dealt out to its
 * tiles at once: nothing the size of the sheet is allocated but `out`. On this machine a fresh 7.9
 * MB buffer costs ~21 ms to touch (page faults, Node, 2 cores), and the whole-sheet buffer this
 * inflated into, then the tiles copied out of it, then those copied into the data set, made three
 * such buffers a sheet; a decoder worker now writes into the data set's shared memory directly
 * (decoders.ts).
 */
export async function decodeSheet(
  shard: Shard,
  png: Uint8Array,
  columns: number,
  out: Uint8Array = new Uint8Array(shard.count * IMAGE_SIZE),
): Promise<Uint8Array> {
  const corrupt = (why: string) =>
    new DataError(
      'data-corrupt',
      `${shard.file} is not a readable PNG image (${why}). Rebuild it with npm run data.`,
    );
  const { width, height, idat } = readChunks(png, corrupt);
  const rows = Math.ceil(shard.count / columns);
  const expectedWidth = Math.min(shard.count, columns) * IMAGE_SIDE;
  if (width !== expectedWidth || height !== rows * IMAGE_SIDE)
    throw new DataError(
      'data-corrupt',
      `${shard.file} is ${width}x${height} px, expected ${expectedWidth}x${rows * IMAGE_SIDE}`,
    );
  if (out.length !== shard.count * IMAGE_SIZE) throw new RangeError(`out holds ${out.length} bytes`);
  // A row is its filter byte then `width` grey levels; the row above the first counts as zeros.
  let row = new Uint8Array(width + 1);
  let above = new Uint8Array(width + 1);
  let y = 0;
  let filled = 0;
  await inflate(idat, corrupt, (chunk) => {
    for (let at = 0; at < chunk.length;) {
      if (y === height) throw corrupt('more pixel data than its size');
      const n = Math.min(row.length - filled, chunk.length - at);
      row.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled < row.length) break;
      unfilter(row, above, width, y, corrupt);
      // Row y of the sheet is row y % 28 of the tiles in tile row y / 28, one after another.
      const first = Math.floor(y / IMAGE_SIDE) * columns;
      const tiles = Math.min(columns, shard.count - first);
      let o = first * IMAGE_SIZE + (y % IMAGE_SIDE) * IMAGE_SIDE;
      for (let t = 0, from = 1; t < tiles; t++, o += IMAGE_SIZE - IMAGE_SIDE)
        for (let x = 0; x < IMAGE_SIDE; x++) out[o++] = row[from++];
      [row, above] = [above, row];
      filled = 0;
      y++;
    }
  });
  if (y !== height) throw corrupt('its pixel data is truncated');
  return out;
}

/**
 * The header's size and the IDAT chunks' data (the zlib stream, in pieces), checking that this is
 * a PNG of 8-bit grey levels, not interlaced. Chunk CRCs are not checked: the file's SHA-256 was.
 */
function readChunks(
  png: Uint8Array,
  corrupt: (why: string) => Error,
): { width: number; height: number; idat: Uint8Array<ArrayBuffer>[] } {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw corrupt('no PNG signature');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idat: Uint8Array<ArrayBuffer>[] = [];
  let width = 0;
  let height = 0;
  for (let at = 8; ;) {
    if (at + 8 > png.length) throw corrupt('it ends inside a chunk');
    const length = view.getUint32(at);
    const type = String.fromCharCode(png[at + 4], png[at + 5], png[at + 6], png[at + 7]);
    const data = at + 8;
    if (data + length + 4 > png.length) throw corrupt(`its ${type} chunk runs past the end`);
    if (at === 8) {
      if (type !== 'IHDR' || length !== 13) throw corrupt('no IHDR header first');
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      const [depth, colour, compression, filter, interlace] = png.subarray(data + 8, data + 13);
      if (depth !== 8 || colour !== 0)
        throw corrupt(`bit depth ${depth}, colour type ${colour}: not 8-bit grey`);
      if (compression !== 0 || filter !== 0 || interlace !== 0)
        throw corrupt('an unknown or interlaced encoding');
    } else if (type === 'IDAT') {
      idat.push(png.subarray(data, data + length) as Uint8Array<ArrayBuffer>);
    } else if (type === 'IEND') {
      break;
    }
    at = data + length + 4;
  }
  if (idat.length === 0) throw corrupt('no image data');
  return { width, height, idat };
}

/** The zlib stream `pieces` inflated, handed to `take` a chunk at a time as it comes. */
async function inflate(
  pieces: Uint8Array<ArrayBuffer>[],
  corrupt: (why: string) => Error,
  take: (chunk: Uint8Array) => void,
): Promise<void> {
  if (typeof DecompressionStream !== 'function')
    throw new DataError(
      'data-missing',
      'This browser cannot read the data: it lacks DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 and later have it).',
    );
  const reader = new Blob(pieces).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      take(value);
    }
  } catch (e) {
    void reader.cancel().catch(() => {});
    throw e instanceof DataError ? e : corrupt('its pixel data does not inflate');
  }
}

/**
 * Undoes row `y`'s filter in place (PNG specification, section 9: None, Sub, Up, Average, Paeth;
 * one byte a pixel): `row` and `above` (the row above, already undone; zeros above the first) hold
 * a filter byte then `width` grey levels. The build's sheets are all None, which leaves nothing to
 * do.
 */
function unfilter(
  row: Uint8Array,
  above: Uint8Array,
  width: number,
  y: number,
  corrupt: (why: string) => Error,
): void {
  const filter = row[0];
  switch (filter) {
    case 0:
      break;
    case 1:
      for (let x = 2; x <= width; x++) row[x] += row[x - 1];
      break;
    case 2:
      for (let x = 1; x <= width; x++) row[x] += above[x];
      break;
    case 3:
      // The pixel left of the first is 0: row[0] is the filter byte, so it is read as 0 apart.
      row[1] += above[1] >> 1;
      for (let x = 2; x <= width; x++) row[x] += (row[x - 1] + above[x]) >> 1;
      break;
    case 4:
      row[1] += above[1]; // Paeth with a = c = 0 predicts b
      for (let x = 2; x <= width; x++) {
        const a = row[x - 1];
        const b = above[x];
        const c = above[x - 1];
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        row[x] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      break;
    default:
      throw corrupt(`row ${y} has filter type ${filter}`);
  }
}
