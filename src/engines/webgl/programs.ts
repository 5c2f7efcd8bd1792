/**
 * The training step's WebGL programs (tfjs GPGPUPrograms), one per draw; step.ts runs them.
 * All outputs are packed (glsl.ts). B is the batch size. Biases are read from the flat parameter
 * vector at layout.ts's offsets, kernels from the stacked weights texture (weightsProgram).
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { MlpLayout } from '../layout';
import { flatAccess, glf, packedMatrix, packedVector, RELU, type TexShape } from './glsl';

/**
 * [B, width] packed: rows order[start + b] of `source` ([count, width], unpacked), so the batch is
 * taken from the resident set with no upload. Used for the images and the one-hot labels.
 */
export function gatherProgram(batch: number, width: number, [source, order]: TexShape[]): GPGPUProgram {
  return {
    variableNames: ['source', 'order'],
    outputShape: [batch, width],
    packedOutput: true,
    customUniforms: [{ name: 'start', type: 'int' }],
    userCode: `
      ${flatAccess('source', source)}
      ${flatAccess('order', order)}
      vec2 rowPair(int b, int c) {
        if (b >= ${batch}) return vec2(0.0);
        int base = int(round(orderFlat(start + b))) * ${width} + c;
        return vec2(sourceFlat(base), sourceFlat(base + 1));
      }
      void main() {
        ivec2 rc = getOutputCoords();
        setOutput(vec4(rowPair(rc.x, rc.y), rowPair(rc.x + 1, rc.y)));
      }`,
  };
}

/** Zeroes the second row of a block past the last batch row (padding must stay 0). */
function rowEdge(batch: number): string {
  return batch % 2 === 0 ? '' : `if (rc.x + 1 >= ${batch}) o.zw = vec2(0.0);`;
}

/** Where each layer's kernel sits in the stacked weights texture: rows from `rowOffsets[i]`. */
function weightRows(layout: MlpLayout): { rowOffsets: number[]; rows: number; cols: number } {
  const rowOffsets: number[] = [];
  let rows = 0;
  for (const l of layout.layers) {
    rowOffsets.push(rows);
    rows += l.inputs;
  }
  return { rowOffsets, rows, cols: Math.max(...layout.layers.map((l) => l.outputs)) };
}

/**
 * [sum of inputs, widest outputs] packed: every layer's kernel as a 2D matrix, stacked, copied
 * from the flat parameters once a step. The products then read a 2x2 block of weights per fetch,
 * as tfjs's matMul does, instead of two pairs from the flat vector.
 */
export function weightsProgram(layout: MlpLayout, [params]: TexShape[]): GPGPUProgram {
  const { rowOffsets, rows, cols } = weightRows(layout);
  const branches = layout.layers.map((l, i) => {
    const top = rowOffsets[i];
    return `if (rc.x < ${top + l.inputs}) {
          if (rc.y < ${l.outputs}) {
            int f = ${l.weightOffset} + (rc.x - ${top}) * ${l.outputs} + rc.y;
            o = vec4(paramsPair(f), paramsPair(f + ${l.outputs}));
          }
        }`;
  });
  return {
    variableNames: ['params'],
    outputShape: [rows, cols],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedVector('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 o = vec4(0.0);
        ${branches.join(' else ')}
        setOutput(o);
      }`,
  };
}

/** [B, outputs] packed: relu?(x W + b) for layer i; W from the stacked weights, b from params. */
export function denseProgram(
  layout: MlpLayout,
  i: number,
  batch: number,
  [x, weights, params]: TexShape[],
): GPGPUProgram {
  const l = layout.layers[i];
  const last = i === layout.layers.length - 1;
  const { rowOffsets, cols } = weightRows(layout);
  return {
    variableNames: ['x', 'weights', 'params'],
    outputShape: [batch, l.outputs],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${RELU}
      ${packedMatrix('x', l.inputs, x)}
      ${packedMatrix('weights', cols, weights)}
      ${packedVector('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec2 bias = paramsPair(${l.biasOffset} + rc.y);
        vec4 o = vec4(bias, bias);
        float xRow = float(rc.x >> 1);
        float wCol = float(rc.y >> 1);
        for (int t = 0; t < ${l.inputs / 2}; t++) {
          float ft = float(t);
          vec4 xs = xGrid(ft, xRow);
          vec4 ws = weightsGrid(wCol, ft + ${rowOffsets[i] / 2}.0);
          o.xy += xs.x * ws.xy + xs.y * ws.zw;
          o.zw += xs.z * ws.xy + xs.w * ws.zw;
        }
        ${last ? '' : 'o = relu(o);'}
        ${rowEdge(batch)}
        setOutput(o);
      }`,
  };
}

/** Per row of logits: its max and the sum of exp(logit - max), so log softmax = logit - max - log(sum). */
function softmaxStats(classes: number): string {
  return `
    vec2 softmaxStats(int b) {
      float m = logitsAt(b, 0);
      for (int c = 1; c < ${classes}; c++) m = max(m, logitsAt(b, c));
      float s = 0.0;
      for (int c = 0; c < ${classes}; c++) s += exp(logitsAt(b, c) - m);
      return vec2(m, s);
    }`;
}

/**
 * [capacity] packed: the loss buffer `prev` ([prevLength]) with the batch's mean cross-entropy
 * written at `position`.
 */
export function lossProgram(
  classes: number,
  batch: number,
  prevLength: number,
  capacity: number,
  [prev, logits, labels]: TexShape[],
): GPGPUProgram {
  return {
    variableNames: ['prev', 'logits', 'labels'],
    outputShape: [capacity],
    packedInputs: true,
    packedOutput: true,
    customUniforms: [{ name: 'position', type: 'int' }],
    userCode: `
      ${packedVector('prev', prev)}
      ${packedMatrix('logits', classes, logits)}
      ${packedMatrix('labels', classes, labels)}
      ${softmaxStats(classes)}
      float batchLoss() {
        float total = 0.0;
        for (int b = 0; b < ${batch}; b++) {
          vec2 ms = softmaxStats(b);
          for (int c = 0; c < ${classes}; c++)
            total += labelsAt(b, c) * (logitsAt(b, c) - ms.x - log(ms.y));
        }
        return -total * ${glf(1 / batch)};
      }
      void main() {
        int i = getOutputCoords();
        vec2 o = i < ${prevLength} ? prevPair(i) : vec2(0.0);
        if (position == i) o.x = batchLoss();
        if (position == i + 1) o.y = batchLoss();
        setOutput(vec4(o, 0.0, 0.0));
      }`,
  };
}

/** [B, classes] packed: d(mean loss)/d(logits) = (softmax - one-hot) / B. */
export function outputErrorProgram(
  classes: number,
  batch: number,
  [logits, labels]: TexShape[],
): GPGPUProgram {
  return {
    variableNames: ['logits', 'labels'],
    outputShape: [batch, classes],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedMatrix('logits', classes, logits)}
      ${packedMatrix('labels', classes, labels)}
      ${softmaxStats(classes)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec2 s0 = softmaxStats(rc.x);
        vec2 s1 = softmaxStats(min(rc.x + 1, ${batch - 1}));
        vec4 z = logitsBlock(rc.x, rc.y);
        vec4 p = exp(z - vec4(s0.xx, s1.xx)) / vec4(s0.yy, s1.yy);
        vec4 o = (p - labelsBlock(rc.x, rc.y)) * ${glf(1 / batch)};
        ${rowEdge(batch)}
        setOutput(o);
      }`,
  };
}

/**
 * [B, outputs of layer i] packed: the error of hidden layer i, back through layer i + 1's kernel
 * (delta W^T), masked where the ReLU was off.
 */
export function hiddenErrorProgram(
  layout: MlpLayout,
  i: number,
  batch: number,
  [h, delta, weights]: TexShape[],
): GPGPUProgram {
  const next = layout.layers[i + 1];
  const { rowOffsets, cols } = weightRows(layout);
  return {
    variableNames: ['h', 'delta', 'weights'],
    outputShape: [batch, next.inputs],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedMatrix('h', next.inputs, h)}
      ${packedMatrix('delta', next.outputs, delta)}
      ${packedMatrix('weights', cols, weights)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 o = vec4(0.0);
        float dRow = float(rc.x >> 1);
        float wRow = float((${rowOffsets[i + 1]} + rc.y) >> 1);
        for (int t = 0; t < ${next.outputs / 2}; t++) {
          float ft = float(t);
          vec4 d = deltaGrid(ft, dRow);
          // Kernel rows rc.y, rc.y + 1 of layer i + 1, columns 2t, 2t + 1.
          vec4 w = weightsGrid(ft, wRow);
          o += vec4(dot(d.xy, w.xy), dot(d.xy, w.zw), dot(d.zw, w.xy), dot(d.zw, w.zw));
        }
        setOutput(o * vec4(greaterThan(hBlock(rc.x, rc.y), vec4(0.0))));
      }`,
  };
}

/**
 * [sum of inputs, widest outputs] packed, the stacked weights' layout: each layer's kernel
 * gradient a^T d (a its input, x or a hidden activation; d its error), summed over the batch,
 * one 2x2 block per fragment as tfjs's matMul computes it. Inputs: x, h1..h(L-1), d1..dL.
 */
export function kernelGradientProgram(layout: MlpLayout, batch: number, tex: TexShape[]): GPGPUProgram {
  const L = layout.layers.length;
  const { rowOffsets, rows, cols } = weightRows(layout);
  const inputs = ['x', ...layout.sizes.slice(1, L).map((_, i) => `h${i + 1}`)];
  const deltas = layout.sizes.slice(1).map((_, i) => `d${i + 1}`);
  const access = [
    ...inputs.map((n, i) => packedMatrix(n, layout.sizes[i], tex[i])),
    ...deltas.map((n, i) => packedMatrix(n, layout.sizes[i + 1], tex[L + i])),
  ];
  const branches = layout.layers.map(
    (l, i) => `if (rc.x < ${rowOffsets[i] + l.inputs}) {
          if (rc.y < ${l.outputs}) {
            float aCol = float((rc.x - ${rowOffsets[i]}) >> 1);
            for (int t = 0; t < ${Math.ceil(batch / 2)}; t++) {
              vec4 a = ${inputs[i]}Grid(aCol, float(t));
              vec4 d = ${deltas[i]}Grid(dCol, float(t));
              o += a.xxyy * d.xyxy + a.zzww * d.zwzw;
            }
          }
        }`,
  );
  return {
    variableNames: [...inputs, ...deltas],
    outputShape: [rows, cols],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${access.join('\n')}
      void main() {
        ivec2 rc = getOutputCoords();
        float dCol = float(rc.y >> 1);
        vec4 o = vec4(0.0);
        ${branches.join(' else ')}
        setOutput(o);
      }`,
  };
}

/**
 * [paramCount] packed: the gradient of the flat vector, two entries per fragment: kernel entries
 * copied from the stacked kernel gradients, bias entries the sums over the batch of each
 * layer's error. Inputs: the kernel gradients, d1..dL.
 */
export function gradientProgram(layout: MlpLayout, batch: number, tex: TexShape[]): GPGPUProgram {
  const { rowOffsets, cols } = weightRows(layout);
  const deltas = layout.sizes.slice(1).map((_, i) => `d${i + 1}`);
  const access = [
    packedMatrix('kernels', cols, tex[0]),
    ...deltas.map((n, i) => packedMatrix(n, layout.sizes[i + 1], tex[i + 1])),
  ];
  const branches = layout.layers.map(
    (l, i) => `if (i < ${l.biasOffset}) {
          int k = (i - ${l.weightOffset}) / ${l.outputs};
          int j = i - ${l.weightOffset} - k * ${l.outputs};
          vec4 g = kernelsBlock(${rowOffsets[i]} + (k & ~1), j);
          o = (k & 1) == 0 ? g.xy : g.zw;
        } else if (i < ${l.biasOffset + l.outputs}) {
          int j = i - ${l.biasOffset};
          for (int b = 0; b < ${batch}; b += 2) {
            vec4 ds = ${deltas[i]}Block(b, j);
            o += ds.xy + ds.zw;
          }
        }`,
  );
  return {
    variableNames: ['kernels', ...deltas],
    outputShape: [layout.paramCount],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${access.join('\n')}
      void main() {
        int i = getOutputCoords();
        vec2 o = vec2(0.0);
        ${branches.join(' else ')}
        setOutput(vec4(o, 0.0, 0.0));
      }`,
  };
}
