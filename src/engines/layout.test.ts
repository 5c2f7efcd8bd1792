/**
 * The flat layout and its one meeting point with PyTorch: names, shapes, and the orders a
 * state_dict holds (checked by running PyTorch's conventions, NCHW, on the named tensors).
 */
import { describe, expect, it } from 'vitest';
import { IMAGE_SIDE, NUM_CLASSES } from '../shared/mnist';
import { parameterShapes, SERIES_CNN, TUTORIAL_MODEL, type ModelSpec } from '../shared/modelSpec';
import { fromNamed, initialParams, netLayout, toNamed, type NamedTensor } from './layout';
import { referenceLogits } from './reference/network';

describe('the flat layout', () => {
  it('packs kernel then bias for each layer', () => {
    const layout = netLayout(TUTORIAL_MODEL);
    expect(layout.dense.sizes).toEqual([784, 64, 64, 64, 10]);
    expect(layout.paramCount).toBe(784 * 64 + 64 + 2 * (64 * 64 + 64) + 64 * 10 + 10);
    expect(layout.dense.layers[1].weightOffset).toBe(784 * 64 + 64);
  });

  it("gives the series' CNN PyTorch's names and shapes, and its 1024 features after two stages", () => {
    expect(parameterShapes(SERIES_CNN)).toEqual([
      { name: 'conv1.weight', shape: [32, 1, 5, 5] },
      { name: 'conv1.bias', shape: [32] },
      { name: 'conv2.weight', shape: [64, 32, 5, 5] },
      { name: 'conv2.bias', shape: [64] },
      { name: 'fc1.weight', shape: [512, 1024] },
      { name: 'fc1.bias', shape: [512] },
      { name: 'fc2.weight', shape: [10, 512] },
      { name: 'fc2.bias', shape: [10] },
    ]);
    expect(parameterShapes(TUTORIAL_MODEL).map((p) => p.name)).toEqual(
      ['fc1', 'fc2', 'fc3', 'fc4'].flatMap((n) => [`${n}.weight`, `${n}.bias`]),
    );
    const layout = netLayout(SERIES_CNN);
    expect(layout.convs.map((c) => c.output)).toEqual([
      [12, 12, 32],
      [4, 4, 64],
    ]);
    expect(layout.paramCount).toBe(832 + 51_264 + 524_800 + 5_130);
  });

  it('draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the same for the same seed', () => {
    const layout = netLayout(SERIES_CNN);
    const a = initialParams(layout, 7);
    expect(initialParams(layout, 7)).toEqual(a);
    expect(initialParams(layout, 8)).not.toEqual(a);
    const [c1, c2] = layout.convs;
    const max = (from: number, to: number) => Math.max(...a.subarray(from, to).map(Math.abs));
    expect(max(c1.weightOffset, c2.weightOffset)).toBeLessThanOrEqual(1 / 5); // fan_in 1 * 5 * 5
    expect(max(c1.weightOffset, c2.weightOffset)).toBeGreaterThan(0.19);
    expect(max(c2.weightOffset, c2.biasOffset + 64)).toBeLessThanOrEqual(1 / Math.sqrt(800));
  });

  it('round-trips through named tensors, and names what a wrong set of tensors lacks', () => {
    const layout = netLayout(SERIES_CNN);
    const flat = initialParams(layout, 3);
    const named = toNamed(layout, flat);
    expect(fromNamed(layout, named)).toEqual(flat);
    expect(() => fromNamed(layout, named.slice(1))).toThrow('missing tensor conv1.weight [32, 1, 5, 5]');
    const wrong = named.map((t) =>
      t.name === 'fc2.bias' ? { ...t, shape: [11], data: new Float32Array(11) } : t,
    );
    expect(() => fromNamed(layout, wrong)).toThrow('fc2.bias has shape [11], expected [10]');
    expect(() =>
      fromNamed(layout, [...named, { name: 'fc3.weight', shape: [1], data: new Float32Array(1) }]),
    ).toThrow('unexpected tensor fc3.weight');
  });

  it.each<[string, ModelSpec]>([
    ['an MLP', { kind: 'mlp', hidden: [7, 5] }],
    [
      'a CNN',
      {
        kind: 'cnn',
        conv: [
          { filters: 3, kernel: 5 },
          { filters: 4, kernel: 3 },
        ],
        hidden: [6],
      },
    ],
  ])(
    'names %s so that PyTorch’s conventions (NCHW, flatten c-h-w, y = x W^T + b) compute the same logits',
    (_, spec) => {
      const layout = netLayout(spec);
      const flat = initialParams(layout, 11);
      const x = Float64Array.from({ length: 2 * 784 }, (_, i) => ((i * 7919) % 13) / 13);
      const ours = referenceLogits(layout, Float64Array.from(flat), x, 2);
      const theirs = pytorchLogits(spec, toNamed(layout, flat), x, 2);
      for (let i = 0; i < ours.length; i++) expect(theirs[i]).toBeCloseTo(ours[i], 5);
    },
  );
});

/** The network as PyTorch computes it from a state_dict: NCHW activations, Conv2d, Linear. */
function pytorchLogits(spec: ModelSpec, named: NamedTensor[], x: Float64Array, batch: number): number[] {
  const t = new Map(named.map((n) => [n.name, n.data]));
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    let c = 1;
    let side = IMAGE_SIDE;
    let h = Array.from(x.subarray(b * 784, (b + 1) * 784)); // [c, h, w]
    (spec.kind === 'cnn' ? spec.conv : []).forEach(({ filters, kernel: k }, s) => {
      const w = t.get(`conv${s + 1}.weight`)!;
      const bias = t.get(`conv${s + 1}.bias`)!;
      const cs = side - k + 1;
      const z = new Array(filters * cs * cs).fill(0).map((_, i) => {
        const [o, y, xx] = [Math.floor(i / (cs * cs)), Math.floor(i / cs) % cs, i % cs];
        let sum = bias[o];
        for (let ci = 0; ci < c; ci++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++)
              sum += h[(ci * side + y + ky) * side + xx + kx] * w[((o * c + ci) * k + ky) * k + kx];
        return Math.max(0, sum);
      });
      const ps = Math.floor(cs / 2);
      h = new Array(filters * ps * ps).fill(0).map((_, i) => {
        const [o, y, xx] = [Math.floor(i / (ps * ps)), Math.floor(i / ps) % ps, i % ps];
        const at = (dy: number, dx: number) => z[(o * cs + 2 * y + dy) * cs + 2 * xx + dx];
        return Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      });
      [c, side] = [filters, ps];
    });
    const sizes = [h.length, ...spec.hidden, NUM_CLASSES];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const w = t.get(`fc${l + 1}.weight`)!;
      const bias = t.get(`fc${l + 1}.bias`)!;
      h = Array.from({ length: sizes[l + 1] }, (_, o) => {
        const v = h.reduce((s, xi, i) => s + xi * w[o * sizes[l] + i], bias[o]);
        return l + 2 < sizes.length ? Math.max(0, v) : v;
      });
    }
    out.push(...h);
  }
  return out;
}
