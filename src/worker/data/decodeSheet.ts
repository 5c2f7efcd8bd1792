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
 * floor(i / columns), column i % columns). Throws a DataError naming the file when it is not the
 * PNG the manifest describes.
 */
export async function decodeSheet(shard: Shard, png: Uint8Array, columns: number): Promise<Uint8Array> {
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
  const raw = await inflate(idat, height * (width + 1), corrupt);
  unfilter(raw, width, height, corrupt);
  // The tiles out, image after image. Row y of the sheet starts at y * (width + 1) + 1 in `raw`,
  // after its filter byte. A plain loop: a subarray per tile row would allocate 280,000 views.
  const out = new Uint8Array(shard.count * IMAGE_SIZE);
  let o = 0;
  for (let i = 0; i < shard.count; i++) {
    const x0 = (i % columns) * IMAGE_SIDE;
    const y0 = Math.floor(i / columns) * IMAGE_SIDE;
    for (let y = y0; y < y0 + IMAGE_SIDE; y++) {
      const from = y * (width + 1) + 1 + x0;
      for (let x = 0; x < IMAGE_SIDE; x++) out[o++] = raw[from + x];
    }
  }
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

/** The zlib stream `pieces` inflated: exactly `size` bytes, or it is corrupt. */
async function inflate(
  pieces: Uint8Array<ArrayBuffer>[],
  size: number,
  corrupt: (why: string) => Error,
): Promise<Uint8Array> {
  if (typeof DecompressionStream !== 'function')
    throw new DataError(
      'data-missing',
      'This browser cannot read the data: it lacks DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 and later have it).',
    );
  const out = new Uint8Array(size);
  let filled = 0;
  const reader = new Blob(pieces).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > size) throw corrupt('more pixel data than its size');
      out.set(value, filled);
      filled += value.length;
    }
  } catch (e) {
    void reader.cancel().catch(() => {});
    throw e instanceof DataError ? e : corrupt('its pixel data does not inflate');
  }
  if (filled !== size) throw corrupt('its pixel data is truncated');
  return out;
}

/**
 * Undoes the rows' filters in place (PNG specification, section 9: None, Sub, Up, Average,
 * Paeth; one byte a pixel): `raw` holds `height` rows of a filter byte then `width` grey levels.
 * The build's sheets are all None, which leaves nothing to do.
 */
function unfilter(raw: Uint8Array, width: number, height: number, corrupt: (why: string) => Error): void {
  const stride = width + 1;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride];
    const row = y * stride + 1;
    const up = row - stride; // the row above, already unfiltered (none above row 0)
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let x = 1; x < width; x++) raw[row + x] += raw[row + x - 1];
        break;
      case 2:
        if (y > 0) for (let x = 0; x < width; x++) raw[row + x] += raw[up + x];
        break;
      case 3:
        for (let x = 0; x < width; x++) {
          const left = x > 0 ? raw[row + x - 1] : 0;
          const above = y > 0 ? raw[up + x] : 0;
          raw[row + x] += (left + above) >> 1;
        }
        break;
      case 4:
        for (let x = 0; x < width; x++) {
          const a = x > 0 ? raw[row + x - 1] : 0;
          const b = y > 0 ? raw[up + x] : 0;
          const c = x > 0 && y > 0 ? raw[up + x - 1] : 0;
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          raw[row + x] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        break;
      default:
        throw corrupt(`row ${y} has filter type ${filter}`);
    }
  }
}
