/**
 * Where the model errs and what it is, from plain data: per-class figures of a confusion matrix
 * and the rows of a model summary as PyTorch's print(net) names the layers. Pure, for tests.
 */
import { NUM_CLASSES } from '../../shared/mnist';
import { layersOf, type ModelSpec } from '../../shared/modelSpec';

/** A cell of the 10x10 matrix: row true digit, column predicted. */
export interface Cell {
  truth: number;
  predicted: number;
}

export const count = (confusion: readonly number[], { truth, predicted }: Cell) =>
  confusion[truth * NUM_CLASSES + predicted];

/** Sum of the diagonal over the sum of all cells: the accuracy the matrix says. */
export function matrixAccuracy(confusion: readonly number[]): number {
  let right = 0;
  let all = 0;
  for (let t = 0; t < NUM_CLASSES; t++)
    for (let p = 0; p < NUM_CLASSES; p++) {
      const n = confusion[t * NUM_CLASSES + p];
      all += n;
      if (t === p) right += n;
    }
  return all > 0 ? right / all : 0;
}

/** The off-diagonal cell with the most images (the first of equals), or null when none. */
export function biggestMistake(confusion: readonly number[]): (Cell & { count: number }) | null {
  let best: (Cell & { count: number }) | null = null;
  for (let t = 0; t < NUM_CLASSES; t++)
    for (let p = 0; p < NUM_CLASSES; p++) {
      const n = confusion[t * NUM_CLASSES + p];
      if (t !== p && n > 0 && (!best || n > best.count)) best = { truth: t, predicted: p, count: n };
    }
  return best;
}

export interface ClassFigures {
  digit: number;
  /** Test images of this digit (the row's sum). */
  images: number;
  /** Of them, read right. */
  correct: number;
  /** correct / images: the share of this digit read right (its recall). */
  accuracy: number;
  /** Of the images read as this digit, the share that are (the column). NaN when none were. */
  precision: number;
  /** The same as accuracy, named as a classifier's recall. */
  recall: number;
}

export function classFigures(confusion: readonly number[]): ClassFigures[] {
  return Array.from({ length: NUM_CLASSES }, (_, d) => {
    let images = 0;
    let predictedAs = 0;
    for (let k = 0; k < NUM_CLASSES; k++) {
      images += confusion[d * NUM_CLASSES + k];
      predictedAs += confusion[k * NUM_CLASSES + d];
    }
    const correct = confusion[d * NUM_CLASSES + d];
    const accuracy = images > 0 ? correct / images : Number.NaN;
    return {
      digit: d,
      images,
      correct,
      accuracy,
      precision: predictedAs > 0 ? correct / predictedAs : Number.NaN,
      recall: accuracy,
    };
  });
}

/** One row of the model summary. */
export interface SummaryRow {
  /** PyTorch's attribute name (conv1, fc2) or the function applied (relu, max_pool2d). */
  name: string;
  /** As print(net) shows a module, or the function call. */
  layer: string;
  /** Per image, PyTorch's [channels, height, width] order. */
  output: number[];
  parameters: number;
}

/**
 * The model as print(net) shows its modules, with the functions its forward applies between
 * them (ReLU, max-pool, flatten, log-softmax) and each one's output shape and parameter count.
 */
export function modelSummary(spec: ModelSpec): { rows: SummaryRow[]; total: number } {
  const rows: SummaryRow[] = [
    { name: 'input', layer: 'image, 28x28, 1 channel', output: [1, 28, 28], parameters: 0 },
  ];
  if (spec.kind === 'mlp') rows[0] = { ...rows[0], layer: 'image, flattened', output: [784] };
  for (const l of layersOf(spec)) {
    if (l.kind === 'conv') {
      const ic = l.input[2];
      const [ch, cw, f] = l.conv;
      rows.push({
        name: l.name,
        layer: `Conv2d(${ic}, ${f}, kernel_size=(${l.kernel}, ${l.kernel}), stride=(1, 1))`,
        output: [f, ch, cw],
        parameters: f * ic * l.kernel * l.kernel + f,
      });
      rows.push({ name: 'relu', layer: 'F.relu', output: [f, ch, cw], parameters: 0 });
      rows.push({
        name: 'max_pool2d',
        layer: 'F.max_pool2d(x, 2)',
        output: [f, l.output[0], l.output[1]],
        parameters: 0,
      });
    } else {
      if (l.name === 'fc1' && spec.kind === 'cnn')
        rows.push({
          name: 'flatten',
          layer: 'x.view(-1, ' + l.inputs + ')',
          output: [l.inputs],
          parameters: 0,
        });
      rows.push({
        name: l.name,
        layer: `Linear(in_features=${l.inputs}, out_features=${l.outputs}, bias=True)`,
        output: [l.outputs],
        parameters: l.inputs * l.outputs + l.outputs,
      });
      rows.push(
        l.relu
          ? { name: 'relu', layer: 'F.relu', output: [l.outputs], parameters: 0 }
          : { name: 'log_softmax', layer: 'F.log_softmax(x, dim=1)', output: [l.outputs], parameters: 0 },
      );
    }
  }
  return { rows, total: rows.reduce((n, r) => n + r.parameters, 0) };
}
