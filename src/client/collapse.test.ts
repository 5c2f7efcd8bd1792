import { describe, expect, it } from 'vitest';
import { collapseMessage, collapseOf } from './collapse';

/** Confusion counts of 100 images per digit, each predicted as `guess(truth, i)`. */
function confusion(guess: (truth: number, i: number) => number): number[] {
  const cells = new Array<number>(100).fill(0);
  for (let t = 0; t < 10; t++) for (let i = 0; i < 100; i++) cells[t * 10 + guess(t, i)]++;
  return cells;
}

describe('collapseOf', () => {
  it('finds a model that predicts one digit for every image at chance', () => {
    const c = collapseOf({ testAccuracy: 0.1, confusion: confusion(() => 7) });
    expect(c).toEqual({ digit: 7, share: 1 });
    expect(collapseMessage(c!, { epoch: 1, testAccuracy: 0.1, learningRate: 1 }, 'sgd')).toBe(
      'After epoch 1 the model predicts 7 for 100.0% of the test images and scores 10.0%, about chance (10%): it has collapsed, though its loss stayed finite. A learning rate of 1 is likely too high for SGD: Reset and try 0.01 to 0.1.',
    );
  });

  it('leaves alone a model that learns, and one at chance that still spreads its guesses', () => {
    expect(collapseOf({ testAccuracy: 0.95, confusion: confusion((t, i) => (i < 95 ? t : 0)) })).toBeNull();
    // Guesses spread over the digits: untrained, not collapsed.
    expect(collapseOf({ testAccuracy: 0.1, confusion: confusion((_t, i) => i % 10) })).toBeNull();
    expect(collapseOf({ testAccuracy: 0, confusion: new Array(100).fill(0) })).toBeNull();
  });
});
