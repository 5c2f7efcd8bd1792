/**
 * Decoding one MNIST sprite sheet (an 8-bit grayscale PNG, scripts/sprites.mjs): on a decoder
 * worker (decode.worker.ts) or inline. Pure apart from DecompressionStream: runs in Node too.
 *
 * The PNG is read here rather than by createImageBitmap and an OffscreenCanvas: a PNG's pixels
 * are one zlib stream, which the browser's own zlib inflates (DecompressionStream), and the sheets
 * are written with every row unfiltered (which is also the smallest file for MNIST), so what is
 * left is reading the chunk headers and copying the tiles out; a canvas draws the sheet into an
 * RGBA bitmap four times its size and reads it back, several times slower (docs/performance.md).
 * Rows with PNG's other filters are undone too, so any 8-bit grayscale PNG of the right size
 * reads.
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
 */
export async function decodeSheet(
  shard: Shard,
  png: Uint8Array,
  columns: number,
  out?: Uint8Array,
): Promise<Uint8Array> {
  const reader = new SheetReader(shard, columns, out);
  reader.push(png);
  return reader.end();
}

/**
 * A sheet read as its bytes arrive: `push` each piece of the file in order, then `end`, which
 * resolves to the images (see decodeSheet) or rejects with the DataError that names the fault.
 * The file's chunks are parsed as they come, and the pixel data is inflated while the rest is
 * still on its way: decoding does not wait for the whole file (decoders.ts).
 *
 * The pixel rows are taken from the inflating stream one at a time and each is dealt out to its
 * tiles at once: nothing the size of the sheet is allocated but `out`, because a fresh buffer of
 * a sheet's size costs milliseconds to touch (page faults; docs/performance.md), and a decoder
 * worker writes into the data set's shared memory directly (decoders.ts).
 */
export class SheetReader {
  private readonly out: Uint8Array;
  /** The first fault found; `end` rejects with it. */
  private fault: Error | null = null;
  /** Bytes of the file seen so far, and where the next chunk starts. */
  private seen = 0;
  private next = 8;
  /** The current chunk's header (its 8 bytes as they arrive), type and data's extent in the file. */
  private readonly header = new Uint8Array(8);
  private type = '';
  private dataStart = 0;
  private dataEnd = 0;
  /** IHDR's 13 bytes as they arrive. */
  private readonly ihdr = new Uint8Array(13);
  private width = 0;
  private height = 0;
  private idat = false;
  private ended = false;
  private inflater: WritableStreamDefaultWriter<BufferSource> | null = null;
  private inflated: Promise<void> | null = null;

  private readonly shard: Shard;
  private readonly columns: number;

  constructor(shard: Shard, columns: number, out: Uint8Array = new Uint8Array(shard.count * IMAGE_SIZE)) {
    if (out.length !== shard.count * IMAGE_SIZE) throw new RangeError(`out holds ${out.length} bytes`);
    this.shard = shard;
    this.columns = columns;
    this.out = out;
  }

  /**
   * The file's next bytes, kept until they are inflated: they must not change meanwhile. Faults
   * are kept for `end`.
   */
  push(bytes: Uint8Array): void {
    if (this.fault || this.ended) return;
    try {
      this.read(bytes);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** The file is complete: resolves to the images once its pixel data is inflated. */
  async end(): Promise<Uint8Array> {
    if (!this.fault && !this.ended) {
      this.fail(
        this.seen < 8
          ? this.corrupt('no PNG signature')
          : this.seen < this.next + 8 || !this.type
            ? this.corrupt('it ends inside a chunk')
            : this.corrupt(`its ${this.type} chunk runs past the end`),
      );
    }
    if (!this.fault && !this.idat) this.fail(this.corrupt('no image data'));
    if (this.fault) throw this.fault;
    await this.inflater!.close().catch(() => {});
    await this.inflated;
    if (this.fault) throw this.fault;
    return this.out;
  }

  private corrupt(why: string): DataError {
    return new DataError(
      'data-corrupt',
      `${this.shard.file} is not a readable PNG image (${why}). Rebuild it with npm run data.`,
    );
  }

  private fail(e: Error): void {
    this.fault ??= e;
    void this.inflater?.abort(e).catch(() => {});
  }

  /**
   * Walks `bytes`, the file's bytes from offset `seen` on: the signature, then each chunk's
   * 8-byte header (length, type), its data and its CRC. Chunk CRCs are not checked: the file's
   * SHA-256 is, before its images are used.
   */
  private read(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length && !this.ended) {
      const pos = this.seen + at;
      if (pos < 8) {
        if (bytes[at] !== SIGNATURE[pos]) throw this.corrupt('no PNG signature');
        at++;
      } else if (pos < this.next + 8) {
        // The chunk's header.
        this.header[pos - this.next] = bytes[at++];
        if (pos === this.next + 7) this.startChunk();
      } else if (pos < this.dataEnd) {
        const n = Math.min(bytes.length - at, this.dataEnd - pos);
        const piece = bytes.subarray(at, at + n);
        if (this.type === 'IHDR') this.ihdr.set(piece, pos - this.dataStart);
        else if (this.type === 'IDAT') this.inflate(piece);
        at += n;
        if (pos + n === this.dataEnd && this.type === 'IHDR') this.checkHeader();
      } else {
        // The CRC's 4 bytes.
        const n = Math.min(bytes.length - at, this.dataEnd + 4 - pos);
        at += n;
        if (pos + n === this.dataEnd + 4) {
          if (this.type === 'IEND') this.ended = true;
          this.next = this.dataEnd + 4;
          this.type = '';
        }
      }
    }
    this.seen += bytes.length;
  }

  private startChunk(): void {
    const h = this.header;
    const length = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
    this.type = String.fromCharCode(h[4], h[5], h[6], h[7]);
    if (this.next === 8 && (this.type !== 'IHDR' || length !== 13))
      throw this.corrupt('no IHDR header first');
    if (this.type === 'IDAT' && !this.width) throw this.corrupt('no IHDR header first');
    this.dataStart = this.next + 8;
    this.dataEnd = this.dataStart + length;
  }

  private checkHeader(): void {
    const view = new DataView(this.ihdr.buffer);
    const [depth, colour, compression, filter, interlace] = this.ihdr.subarray(8, 13);
    if (depth !== 8 || colour !== 0)
      throw this.corrupt(`bit depth ${depth}, colour type ${colour}: not 8-bit grey`);
    if (compression !== 0 || filter !== 0 || interlace !== 0)
      throw this.corrupt('an unknown or interlaced encoding');
    const { shard, columns } = this;
    const width = view.getUint32(0);
    const height = view.getUint32(4);
    const rows = Math.ceil(shard.count / columns);
    const expectedWidth = Math.min(shard.count, columns) * IMAGE_SIDE;
    if (width !== expectedWidth || height !== rows * IMAGE_SIDE)
      throw new DataError(
        'data-corrupt',
        `${shard.file} is ${width}x${height} px, expected ${expectedWidth}x${rows * IMAGE_SIDE}`,
      );
    this.width = width;
    this.height = height;
  }

  /** Hands a piece of the zlib stream to the inflater, started with the first. */
  private inflate(piece: Uint8Array): void {
    if (!this.inflater) {
      if (typeof DecompressionStream !== 'function')
        throw new DataError(
          'data-missing',
          'This browser cannot read the data: it lacks DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 and later have it).',
        );
      const stream = new DecompressionStream('deflate');
      this.inflater = stream.writable.getWriter();
      this.inflated = this.takeRows(stream.readable.getReader());
    }
    this.idat = true;
    // Not copied: `push` keeps the bytes it is given (every caller hands over bytes it no longer
    // changes: a fetch's pieces, a decoder's messages, a whole file).
    void this.inflater.write(piece as Uint8Array<ArrayBuffer>).catch(() => {});
  }

  /** Reads the inflated rows and deals each out to its tiles, as they come. */
  private async takeRows(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const { width, height, columns, shard, out } = this;
    // A row is its filter byte then `width` grey levels; the row above the first counts as zeros.
    let row = new Uint8Array(width + 1);
    let above = new Uint8Array(width + 1);
    let y = 0;
    let filled = 0;
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        for (let at = 0; at < chunk.length;) {
          if (y === height) throw this.corrupt('more pixel data than its size');
          const n = Math.min(row.length - filled, chunk.length - at);
          row.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled < row.length) break;
          unfilter(row, above, width, y, (why) => this.corrupt(why));
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
      }
      if (y !== height) throw this.corrupt('its pixel data is truncated');
    } catch (e) {
      void reader.cancel().catch(() => {});
      this.fault ??= e instanceof DataError ? e : this.corrupt('its pixel data does not inflate');
    }
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
