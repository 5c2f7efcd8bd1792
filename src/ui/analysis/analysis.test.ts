import { describe, expect, it } from 'vitest';
import { parameterCount, SERIES_CNN, TUTORIAL_MODEL } from '../../shared/modelSpec';
import { biggestMistake, classFigures, matrixAccuracy, modelSummary } from './analysis';

function matrix(cells: [number, number, number][]): number[] {
  const m = new Array<number>(100).fill(0);
  for (const [t, p, n] of cells) m[t * 10 + p] = n;
  return m;
}

describe('confusion figures', () => {
  const m = matrix([
    [0, 0, 90],
    [0, 6, 10],
    [6, 6, 45],
    [6, 0, 5],
  ]);

  it('reads the accuracy off the diagonal and finds the biggest mistake', () => {
    expect(matrixAccuracy(m)).toBeCloseTo(135 / 150, 12);
    expect(biggestMistake(m)).toEqual({ truth: 0, predicted: 6, count: 10 });
    expect(biggestMistake(matrix([[3, 3, 5]]))).toBeNull();
  });

  it('gives each digit its accuracy (recall) and precision', () => {
    const [zero, , , , , , six] = classFigures(m);
    expect(zero).toMatchObject({ images: 100, correct: 90, accuracy: 0.9, recall: 0.9, precision: 90 / 95 });
    expect(six).toMatchObject({ images: 50, correct: 45, accuracy: 0.9, precision: 45 / 55 });
    expect(Number.isNaN(classFigures(m)[1].accuracy)).toBe(true);
  });
});

describe('modelSummary', () => {
  it('lists the tutorial MLP as print(net) does, with its 59,210 parameters', () => {
    const { rows, total } = modelSummary(TUTORIAL_MODEL);
    expect(rows.filter((r) => r.parameters > 0).map((r) => r.layer)).toEqual([
      'Linear(in_features=784, out_features=64, bias=True)',
      'Linear(in_features=64, out_features=64, bias=True)',
      'Linear(in_features=64, out_features=64, bias=True)',
      'Linear(in_features=64, out_features=10, bias=True)',
    ]);
    expect(total).toBe(parameterCount(TUTORIAL_MODEL));
    expect(total).toBe(59_210);
    expect(rows.at(-1)).toMatchObject({ name: 'log_softmax', output: [10] });
  });

  it("gives the CNN its conv shapes in PyTorch order and the spec's parameter count", () => {
    const { rows, total } = modelSummary(SERIES_CNN);
    expect(rows.find((r) => r.name === 'conv1')).toMatchObject({
      layer: 'Conv2d(1, 32, kernel_size=(5, 5), stride=(1, 1))',
      output: [32, 24, 24],
      parameters: 832,
    });
    expect(rows.find((r) => r.name === 'flatten')?.output).toEqual([1024]);
    expect(total).toBe(parameterCount(SERIES_CNN));
  });
});
