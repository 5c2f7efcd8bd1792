/**
 * A collapsed model: one that predicts (nearly) one digit for every image, at about chance
 * accuracy, with a finite loss, so no divergence is seen (a learning rate far too high kills the
 * ReLUs, say). Judged at an epoch's end from the test set's confusion counts.
 */
import { OPTIMIZERS, type OptimizerName } from '../shared/config';
import type { EpochSummary } from '../shared/protocol';

/** Test accuracy below this is within a few points of chance (10 %). */
const NEAR_CHANCE = 0.2;
/** The share of the test images given one digit that makes a model "collapsed". */
const ONE_DIGIT = 0.8;

/** Learning rates that train this network well, per optimizer (the tutorial's Adam: 0.001). */
const GOOD_RATES: Record<OptimizerName, string> = {
  adam: '0.001',
  sgd: '0.01 to 0.1',
  momentum: '0.01',
  rmsprop: '0.001',
};

export interface Collapse {
  /** The digit it predicts for most images, and for what share of them. */
  digit: number;
  share: number;
}

/** The collapse an epoch's end shows, or null when the model is not collapsed. */
export function collapseOf(epoch: Pick<EpochSummary, 'testAccuracy' | 'confusion'>): Collapse | null {
  const predicted = new Array<number>(10).fill(0);
  epoch.confusion.forEach((count, cell) => (predicted[cell % 10] += count));
  const total = predicted.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const digit = predicted.indexOf(Math.max(...predicted));
  const share = predicted[digit] / total;
  return epoch.testAccuracy < NEAR_CHANCE && share >= ONE_DIGIT ? { digit, share } : null;
}

/** What the page says of a collapse at `epoch`'s end, and what to try. */
export function collapseMessage(
  c: Collapse,
  epoch: Pick<EpochSummary, 'epoch' | 'testAccuracy' | 'learningRate'>,
  optimizer: OptimizerName,
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `After epoch ${epoch.epoch} the model predicts ${c.digit} for ${pct(c.share)} of the test images and scores ` +
    `${pct(epoch.testAccuracy)}, about chance (10%): it has collapsed, though its loss stayed finite. ` +
    `A learning rate of ${epoch.learningRate} is likely too high for ${OPTIMIZERS[optimizer]}: ` +
    `Reset and try ${GOOD_RATES[optimizer]}.`
  );
}
