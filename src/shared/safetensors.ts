/**
 * The safetensors format (Hugging Face's, which PyTorch users load with a few lines): an 8-byte
 * little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte range
 * in the data that follows, then the data. Only float32 here, the only dtype the models use.
 * Written by hand: the format is this small, and no npm package for it is maintained for the
 * browser. Reading treats the file as untrusted: every check names what is wrong.
 */

export interface Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Largest header read: a model's header is a few hundred bytes. */
export const MAX_HEADER_BYTES = 1_000_000;
/** Largest file read: the largest model allowed (8M parameters) is 32 MB. */
export const MAX_FILE_BYTES = 100_000_000;

/** `tensors` in order as one safetensors file; `metadata` goes in the header's __metadata__. */
export function encodeSafetensors(
  tensors: readonly Tensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  // Padded with spaces to a multiple of 8, as the reference implementation writes it.
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    // Float32Array is the platform's byte order; write little-endian explicitly.
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

/** A file that is not a readable safetensors file of float32 tensors; the message says why. */
export class SafetensorsError extends Error {}

/** The tensors of a safetensors file, in header order, and its metadata. Throws SafetensorsError. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Tensor[];
  metadata: Record<string, string>;
} {
  if (bytes.length > MAX_FILE_BYTES)
    throw new SafetensorsError(
      `The file is ${(bytes.length / 1e6).toFixed(0)} MB; a model here is at most ${MAX_FILE_BYTES / 1e6} MB.`,
    );
  if (bytes.length < 8) throw new SafetensorsError('The file is too short to be a safetensors file.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  // Text, an image or a zip read as a length gives an absurd one.
  if (n > 0xffffffffn)
    throw new SafetensorsError('This is not a safetensors file: its first 8 bytes are not a header length.');
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(`Its header would be ${n} bytes; a safetensors header here is at most 1 MB.`);
  const headerBytes = Number(n);
  if (8 + headerBytes > bytes.length)
    throw new SafetensorsError('The file is truncated: it ends inside its header.');
  let header: Record<string, unknown>;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes));
    header = JSON.parse(text);
  } catch {
    throw new SafetensorsError('This is not a safetensors file: its header is not JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new SafetensorsError('This is not a safetensors file: its header is not a JSON object.');
  // JSON.parse keeps the last of a repeated name; the format's reference reader refuses the file.
  const repeated = repeatedKey(text);
  if (repeated !== null)
    throw new SafetensorsError(
      `Its header names "${repeated}" twice: each tensor is named once in a safetensors file.`,
    );
  const dataStart = 8 + headerBytes;
  const dataBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Tensor[] = [];
  const spans: Span[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry && typeof entry === 'object')
        for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') metadata[k] = v;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e?.dtype !== 'F32')
      throw new SafetensorsError(
        `Tensor ${name} is ${String(e?.dtype)}; only float32 (F32) weights are read.`,
      );
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new SafetensorsError(`Tensor ${name} has no valid shape.`);
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0)
    )
      throw new SafetensorsError(`Tensor ${name} has no valid data offsets.`);
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4)
      throw new SafetensorsError(
        `Tensor ${name} [${shape.join(', ')}] should take ${count * 4} bytes, not ${end - begin}.`,
      );
    if (end > dataBytes)
      throw new SafetensorsError(`The file is truncated: tensor ${name} runs past its end.`);
    spans.push({ name, begin, end });
    tensors.push({ name, shape: shape as number[], data: new Float32Array(0) });
  }
  checkTiling(spans, dataBytes);
  tensors.forEach((t, k) => {
    const { begin, end } = spans[k];
    const data = new Float32Array((end - begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + begin + i * 4, true);
    t.data = data;
  });
  return { tensors, metadata };
}

/** Where a tensor's bytes are, relative to the data's start. */
interface Span {
  name: string;
  begin: number;
  end: number;
}

/**
 * The format's rule, as its reference reader holds it: the tensors' byte ranges, in offset order,
 * tile the data exactly: each starts where the one before ends, none overlaps another, and the
 * last ends where the file does.
 */
function checkTiling(spans: readonly Span[], dataBytes: number): void {
  const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let before: Span | null = null;
  for (const span of ordered) {
    if (span.begin < at)
      throw new SafetensorsError(
        `Tensors ${before!.name} and ${span.name} share bytes ${span.begin}-${Math.min(at, span.end)} of the data: in a safetensors file each tensor has bytes of its own.`,
      );
    if (span.begin > at)
      throw new SafetensorsError(
        `${span.begin - at} bytes of the data before tensor ${span.name} belong to no tensor: a safetensors file's tensors follow one another with no gaps.`,
      );
    at = span.end;
    before = span;
  }
  if (at < dataBytes)
    throw new SafetensorsError(
      `${dataBytes - at} bytes follow the last tensor's data: a safetensors file ends where its data does.`,
    );
}

/** The first name the header's top-level object holds twice, or null. */
function repeatedKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return null;
}
