/**
 * The loss every CPU network ends in, and its gradient: mean softmax cross-entropy (PyTorch's
 * log_softmax + nll_loss). Shared by mlp.ts's loops and simdDense.ts's kernels.
 */

/**
 * For `rows` rows of `classes` logits (logits[at + r * classes + j]): writes d(loss)/d(logits) of
 * the mean loss over a batch of `batch` rows, (softmax - onehot) / batch, into delta[deltaAt ..]
 * (same shape; it may be the logits' own array, elsewhere), from a max-shifted, stable
 * log-softmax, and returns the rows' summed loss. Row r's label is labels[order[start + r]].
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  at: number,
  delta: Float32Array,
  deltaAt: number,
  rows: number,
  classes: number,
  labels: Uint8Array,
  order: Int32Array,
  start: number,
  batch: number,
): number {
  const invBatch = 1 / batch;
  let loss = 0;
  for (let b = 0; b < rows; b++) {
    const o = at + b * classes;
    const q = deltaAt + b * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) {
      const e = Math.exp(logits[o + j] - max);
      delta[q + j] = e;
      sum += e;
    }
    const label = labels[order[start + b]];
    loss -= logits[o + label] - max - Math.log(sum);
    const scale = invBatch / sum;
    for (let j = 0; j < classes; j++) delta[q + j] *= scale;
    delta[q + label] -= invBatch;
  }
  return loss;
}
