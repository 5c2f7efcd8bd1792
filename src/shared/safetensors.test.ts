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
});
