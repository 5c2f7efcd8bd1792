/**
 * The plain reference every engine is held to, as llm.c keeps a CPU reference beside its kernels:
 * the network of any model spec written as the textbook writes it, one layer at a time, in
 * float64, with no tricks (no zero skipping, no blocking, no fusion). Slow and obviously correct.
 * Layouts as layout.ts: activations channels-last, dense kernels [in, out], conv kernels
 * [k, k, in, filters]. Conventions as PyTorch's: ReLU keeps NaN; a 2x2 max-pool takes the first
 * maximum of its window (a NaN wins); the loss is the mean negative log-likelihood of log-softmax.
 */
import { NUM_CLASSES } from '../../shared/mnist';
import type { ConvLayout, LayerLayout, NetLayout } from '../layout';

/** A batch's activations, kept for the backward pass. */
interface Trace {
  /** Per conv stage: its input, its conv output before ReLU, its pooled output, the pool's picks. */
  convs: { input: Float64Array; z: Float64Array; pooled: Float64Array; picks: Int32Array }[];
  /** Per dense layer: its input and its output before ReLU. */
  dense: { input: Float64Array; z: Float64Array }[];
}

const relu = (v: number) => (v < 0 ? 0 : v);

/** Logits [B, 10] of x [B, 784] (0..1). */
export function referenceLogits(
  layout: NetLayout,
  params: Float64Array,
  x: Float64Array,
  batch: number,
): Float64Array {
  return run(layout, params, x, batch).logits;
}

function run(layout: NetLayout, params: Float64Array, x: Float64Array, batch: number) {
  const trace: Trace = { convs: [], dense: [] };
  let h = x;
  for (const c of layout.convs) {
    const z = convForward(c, params, h, batch);
    const { pooled, picks } = reluPool(c, z, batch);
    trace.convs.push({ input: h, z, pooled, picks });
    h = pooled;
  }
  const layers = layout.dense.layers;
  layers.forEach((l, i) => {
    const z = denseForward(l, params, h, batch);
    trace.dense.push({ input: h, z });
    h = i < layers.length - 1 ? z.map(relu) : z;
  });
  return { logits: h, trace };
}

/** z[b, oy, ox, f] = bias[f] + sum over dy, dx, c of x[b, oy + dy, ox + dx, c] * K[dy, dx, c, f]. */
function convForward(c: ConvLayout, p: Float64Array, x: Float64Array, batch: number): Float64Array {
  const [h, w, cin] = c.input;
  const [ch, cw, f] = c.conv;
  const k = c.kernel;
  const z = new Float64Array(batch * ch * cw * f);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < ch; oy++)
      for (let ox = 0; ox < cw; ox++)
        for (let o = 0; o < f; o++) {
          let sum = p[c.biasOffset + o];
          for (let dy = 0; dy < k; dy++)
            for (let dx = 0; dx < k; dx++)
              for (let i = 0; i < cin; i++)
                sum +=
                  x[((b * h + oy + dy) * w + ox + dx) * cin + i] *
                  p[c.weightOffset + ((dy * k + dx) * cin + i) * f + o];
          z[((b * ch + oy) * cw + ox) * f + o] = sum;
        }
  return z;
}

/** ReLU then 2x2 max-pool; picks holds the index into z of each window's maximum. */
function reluPool(c: ConvLayout, z: Float64Array, batch: number) {
  const [ch, cw, f] = c.conv;
  const [ph, pw] = c.output;
  const pooled = new Float64Array(batch * ph * pw * f);
  const picks = new Int32Array(pooled.length);
  let q = 0;
  for (let b = 0; b < batch; b++)
    for (let py = 0; py < ph; py++)
      for (let px = 0; px < pw; px++)
        for (let o = 0; o < f; o++, q++) {
          let best = -1;
          let max = -Infinity;
          for (let dy = 0; dy < 2; dy++)
            for (let dx = 0; dx < 2; dx++) {
              const i = ((b * ch + 2 * py + dy) * cw + 2 * px + dx) * f + o;
              const v = relu(z[i]);
              if (best < 0 || v > max || (Number.isNaN(v) && !Number.isNaN(max))) [best, max] = [i, v];
            }
          pooled[q] = max;
          picks[q] = best;
        }
  return { pooled, picks };
}

/** z[b, j] = bias[j] + sum over i of x[b, i] * W[i, j]. */
function denseForward(l: LayerLayout, p: Float64Array, x: Float64Array, batch: number): Float64Array {
  const z = new Float64Array(batch * l.outputs);
  for (let b = 0; b < batch; b++)
    for (let j = 0; j < l.outputs; j++) {
      let sum = p[l.biasOffset + j];
      for (let i = 0; i < l.inputs; i++) sum += x[b * l.inputs + i] * p[l.weightOffset + i * l.outputs + j];
      z[b * l.outputs + j] = sum;
    }
  return z;
}

/**
 * The batch's mean loss and its gradient with respect to every parameter ([paramCount], layout.ts's
 * order). x: [B, 784] (0..1); labels: B digits.
 */
export function referenceLossAndGradient(
  layout: NetLayout,
  params: Float64Array,
  x: Float64Array,
  labels: ArrayLike<number>,
): { loss: number; gradient: Float64Array } {
  const batch = labels.length;
  const { logits, trace } = run(layout, params, x, batch);
  const gradient = new Float64Array(layout.paramCount);
  // Loss and d(loss)/d(logits) = (softmax - onehot) / B.
  let loss = 0;
  let delta: Float64Array = new Float64Array(batch * NUM_CLASSES);
  for (let b = 0; b < batch; b++) {
    const z = logits.subarray(b * NUM_CLASSES, (b + 1) * NUM_CLASSES);
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    loss -= (z[labels[b]] - logSum) / batch;
    for (let j = 0; j < NUM_CLASSES; j++)
      delta[b * NUM_CLASSES + j] = (Math.exp(z[j] - logSum) - (j === labels[b] ? 1 : 0)) / batch;
  }
  const layers = layout.dense.layers;
  for (let n = layers.length - 1; n >= 0; n--) {
    const l = layers[n];
    const { input } = trace.dense[n];
    const inputDelta = new Float64Array(batch * l.inputs);
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < l.outputs; j++) {
        const d = delta[b * l.outputs + j];
        gradient[l.biasOffset + j] += d;
        for (let i = 0; i < l.inputs; i++) {
          gradient[l.weightOffset + i * l.outputs + j] += input[b * l.inputs + i] * d;
          inputDelta[b * l.inputs + i] += params[l.weightOffset + i * l.outputs + j] * d;
        }
      }
    // Through the ReLU before this layer (a hidden layer's, or the last pool's): 0 where it was off.
    for (let i = 0; i < inputDelta.length; i++) if (!(input[i] > 0)) inputDelta[i] = 0;
    delta = inputDelta;
  }
  for (let s = layout.convs.length - 1; s >= 0; s--) {
    const c = layout.convs[s];
    const { input, z, picks } = trace.convs[s];
    // The pool passes each error to its pick; the ReLU only where the conv output was positive.
    const dz = new Float64Array(z.length);
    for (let q = 0; q < picks.length; q++) if (z[picks[q]] > 0) dz[picks[q]] += delta[q];
    delta = convBackward(c, params, input, dz, batch, gradient);
    if (s > 0) for (let i = 0; i < delta.length; i++) if (!(input[i] > 0)) delta[i] = 0;
  }
  return { loss, gradient };
}

/** Adds the conv's kernel and bias gradients; returns the error of its input. */
function convBackward(
  c: ConvLayout,
  p: Float64Array,
  x: Float64Array,
  dz: Float64Array,
  batch: number,
  gradient: Float64Array,
): Float64Array {
  const [h, w, cin] = c.input;
  const [ch, cw, f] = c.conv;
  const k = c.kernel;
  const dx = new Float64Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < ch; oy++)
      for (let ox = 0; ox < cw; ox++)
        for (let o = 0; o < f; o++) {
          const d = dz[((b * ch + oy) * cw + ox) * f + o];
          gradient[c.biasOffset + o] += d;
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++)
              for (let i = 0; i < cin; i++) {
                const xi = ((b * h + oy + ky) * w + ox + kx) * cin + i;
                const wi = c.weightOffset + ((ky * k + kx) * cin + i) * f + o;
                gradient[wi] += x[xi] * d;
                dx[xi] += p[wi] * d;
              }
        }
  return dx;
}
