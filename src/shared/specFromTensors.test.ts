import { describe, expect, it } from 'vitest';
import { parameterShapes, SERIES_CNN, SMALL_CNN, specFromTensors, TUTORIAL_MODEL } from './modelSpec';

describe('specFromTensors', () => {
  it.each([TUTORIAL_MODEL, SERIES_CNN, SMALL_CNN])(
    'reads back the model of its own names and shapes: %j',
    (spec) => {
      expect(specFromTensors(parameterShapes(spec))).toEqual({ spec });
    },
  );

  it('names what is wrong: names, shapes, the last layer, an extra tensor', () => {
    const tutorial = parameterShapes(TUTORIAL_MODEL);
    const problem = (t: { name: string; shape: number[] }[]) =>
      'problem' in specFromTensors(t) ? (specFromTensors(t) as { problem: string }).problem : '';
    expect(problem(tutorial.map((t) => ({ ...t, name: `net.${t.name}` })))).toMatch(
      /no tensor fc1.weight.*net.fc1.weight/,
    );
    expect(problem(tutorial.map((t) => (t.name === 'fc3.bias' ? { ...t, shape: [63] } : t)))).toMatch(
      /fc3.bias has shape \[63\]; MLP 784-64-64-64-10 needs \[64\]/,
    );
    expect(problem(tutorial.filter((t) => t.name !== 'fc4.bias'))).toMatch(/no tensor fc4.bias/);
    expect(problem([...tutorial, { name: 'running_mean', shape: [64] }])).toMatch(
      /tensor this model does not: running_mean/,
    );
    const twelve = tutorial.map((t) =>
      t.name === 'fc4.weight' ? { ...t, shape: [12, 64] } : t.name === 'fc4.bias' ? { ...t, shape: [12] } : t,
    );
    expect(problem(twelve)).toMatch(/has 12 outputs; a model of the 10 digits has 10/);
  });
});
