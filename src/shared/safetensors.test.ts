import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';

const tensors = [
  { name: 'fc1.weight', shape: [2, 3], data: Float32Array.of(1, -2, 3.5, 0, 1e-8, -0) },
  { name: 'fc1.bias', shape: [2], data: Float32Array.of(0.25, -1) },
];

describe('safetensors', () => {
  it('writes the reference layout: u64 length, JSON padded to 8, little-endian float32 in header order', () => {
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['fc1.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header['fc1.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [24, 32] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(bytes.length).toBe(8 + n + 32);
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 8, true)).toBe(3.5);
  });

  it('reads back what it wrote', () => {
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { a: 'b' }));
    expect(back.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual(
      tensors.map((t) => [t.name, t.shape, Array.from(t.data)]),
    );
    expect(metadata).toEqual({ a: 'b' });
  });

  it('refuses what is not a safetensors file of float32 tensors, saying why', () => {
    const good = encodeSafetensors(tensors);
    const bad = (bytes: Uint8Array) => () => decodeSafetensors(bytes);
    expect(bad(new Uint8Array(3))).toThrow(/too short/);
    expect(bad(new TextEncoder().encode('PK\u0003\u0004 this is a zip file, not weights'))).toThrow(
      SafetensorsError,
    );
    expect(bad(good.subarray(0, good.length - 4))).toThrow(/truncated: tensor fc1.bias/);
    expect(bad(good.subarray(0, 20))).toThrow(/truncated: it ends inside its header/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 5_000_000n, true);
    expect(bad(huge)).toThrow(/at most 1 MB/);
    const f16 = new TextEncoder().encode(
      JSON.stringify({ w: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }),
    );
    const file = new Uint8Array(8 + f16.length + 2);
    new DataView(file.buffer).setBigUint64(0, BigInt(f16.length), true);
    file.set(f16, 8);
    expect(bad(file)).toThrow(/F16; only float32/);
  });

  it("refuses what the format's reference reader refuses: shared, overlapping or stray bytes, a name twice", () => {
    /** A file of `header` (text, as written) and `dataBytes` bytes of data. */
    const file = (header: string, dataBytes: number) => {
      const head = new TextEncoder().encode(header);
      const bytes = new Uint8Array(8 + head.length + dataBytes);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
      bytes.set(head, 8);
      return () => decodeSafetensors(bytes);
    };
    const t = (begin: number, end: number, n = (end - begin) / 4) =>
      JSON.stringify({ dtype: 'F32', shape: [n], data_offsets: [begin, end] });
    expect(file(`{"a":${t(0, 8)},"b":${t(0, 8)}}`, 8)).toThrow(/Tensors a and b share bytes 0-8/);
    expect(file(`{"a":${t(0, 8)},"b":${t(4, 12)}}`, 12)).toThrow(/Tensors a and b share bytes 4-8/);
    expect(file(`{"a":${t(0, 8)},"b":${t(12, 16)}}`, 16)).toThrow(
      /4 bytes of the data before tensor b belong to no tensor/,
    );
    expect(file(`{"a":${t(0, 8)}}`, 12)).toThrow(/4 bytes follow the last tensor's data/);
    expect(file(`{"a":${t(0, 8)},"a":${t(8, 16)}}`, 16)).toThrow(/names "a" twice/);
    // The same names inside a tensor's entry, or a key that looks alike in a string, are no repeat.
    expect(file(`{"__metadata__":{"a":"x,\\"a\\":"},"a":${t(0, 8)}}`, 8)).not.toThrow();
    // In offset order, whatever the header's order: the reference reader sorts them too.
    const { tensors: back } = file(`{"b":${t(8, 16)},"a":${t(0, 8)}}`, 16)();
    expect(back.map((x) => x.name)).toEqual(['b', 'a']);
  });
});
