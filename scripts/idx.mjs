// @ts-check
/**
 * Reader for the IDX files MNIST ships in (http://yann.lecun.com/exdb/mnist/ describes the format):
 * a big-endian header (magic 0x00000803 for images, 0x00000801 for labels, then the dimensions),
 * then one unsigned byte per pixel or label.
 */

export const IMAGE_MAGIC = 0x00000803;
export const LABEL_MAGIC = 0x00000801;

/**
 * Parses an IDX image file. Throws an Error naming `name` and what is wrong when the magic
 * number, the dimensions or the length do not fit.
 * @param {Uint8Array} bytes the whole file
 * @param {string} name the file's name, for messages
 * @returns {{ count: number, rows: number, cols: number, pixels: Uint8Array }}
 */
export function parseIdxImages(bytes, name) {
  const view = header(bytes, name, 16);
  const magic = view.getUint32(0);
  if (magic !== IMAGE_MAGIC)
    throw new Error(
      `${name}: wrong magic number 0x${hex(magic)}, expected 0x${hex(IMAGE_MAGIC)} (IDX images)`,
    );
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== 28 || cols !== 28) throw new Error(`${name}: images are ${rows}x${cols}, expected 28x28`);
  const expected = 16 + count * rows * cols;
  if (bytes.length !== expected) {
    throw new Error(
      `${name}: ${bytes.length} bytes, expected ${expected} for ${count} images (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/**
 * Parses an IDX label file; every label must be a digit 0-9.
 * @param {Uint8Array} bytes the whole file
 * @param {string} name the file's name, for messages
 * @returns {{ count: number, labels: Uint8Array }}
 */
export function parseIdxLabels(bytes, name) {
  const view = header(bytes, name, 8);
  const magic = view.getUint32(0);
  if (magic !== LABEL_MAGIC)
    throw new Error(
      `${name}: wrong magic number 0x${hex(magic)}, expected 0x${hex(LABEL_MAGIC)} (IDX labels)`,
    );
  const count = view.getUint32(4);
  const expected = 8 + count;
  if (bytes.length !== expected) {
    throw new Error(
      `${name}: ${bytes.length} bytes, expected ${expected} for ${count} labels (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`,
    );
  }
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${name}: label ${bad} is ${labels[bad]}, not a digit`);
  return { count, labels };
}

/**
 * @param {Uint8Array} bytes
 * @param {string} name
 * @param {number} size
 */
function header(bytes, name, size) {
  if (bytes.length < size)
    throw new Error(
      `${name}: ${bytes.length} bytes, too short for an IDX header (${size} bytes); the file is truncated`,
    );
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** @param {number} n */
function hex(n) {
  return n.toString(16).padStart(8, '0');
}
