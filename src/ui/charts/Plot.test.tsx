// @vitest-environment jsdom
/** The plot's axes and series in the DOM: ticks where the scales put them, a log axis, a series. */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Plot } from './Plot';
import { SeriesPath } from './SvgSeries';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('Plot', () => {
  let container: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  const texts = (selector: string) =>
    [...container.querySelectorAll(`${selector} .plot-tick text`)].map((t) => t.textContent);
  const attr = (selector: string, name: string) =>
    [...container.querySelectorAll(`${selector} .plot-tick text`)].map((t) => Number(t.getAttribute(name)));

  it('draws every tick given, in order along each axis, with its label, and the series between', () => {
    act(() =>
      root.render(
        <Plot
          height={250}
          x={{ min: 0, max: 100, ticks: [0, 50, 100], format: (v) => `${v}b`, label: 'batch' }}
          y={{ min: 0, max: 2, ticks: [0, 1, 2], format: String }}
          marks={[{ x: 50, label: 'E1' }]}
        >
          <SeriesPath
            points={[
              { x: 0, y: 2 },
              { x: 100, y: 0 },
            ]}
            stroke="red"
            width={2}
          />
        </Plot>,
      ),
    );
    expect(texts('.plot-x-axis')).toEqual(['0b', '50b', '100b']);
    expect(texts('.plot-y-axis')).toEqual(['0', '1', '2']);
    const [x0, x50, x100] = attr('.plot-x-axis', 'x');
    expect(x50 - x0).toBeCloseTo(x100 - x50, 6);
    const [y0, y1, y2] = attr('.plot-y-axis', 'y');
    expect(y0).toBeGreaterThan(y1); // up the screen
    expect(y0 - y1).toBeCloseTo(y1 - y2, 6);
    // The series runs from the top-left tick corner to the bottom-right one.
    const d = container.querySelector('path')!.getAttribute('d')!;
    expect(d).toBe(`M${x0.toFixed(1)},${y2.toFixed(1)}L${x100.toFixed(1)},${y0.toFixed(1)}`);
    expect(container.textContent).toContain('batch');
    expect(container.textContent).toContain('E1');
  });

  it('spaces a log axis by decades, and leaves out what it cannot show', () => {
    act(() =>
      root.render(
        <Plot
          height={250}
          x={{ min: 0, max: 1, ticks: [0, 1], format: String }}
          y={{ min: 0.01, max: 10, ticks: [0.01, 0.1, 1, 10], format: String, log: true }}
        >
          <SeriesPath
            points={[
              { x: 0, y: 0 },
              { x: 0.5, y: 1 },
              { x: 1, y: 0.1 },
            ]}
            stroke="red"
            width={2}
          />
        </Plot>,
      ),
    );
    const ys = attr('.plot-y-axis', 'y');
    expect(ys[0] - ys[1]).toBeCloseTo(ys[1] - ys[2], 6);
    expect(ys[1] - ys[2]).toBeCloseTo(ys[2] - ys[3], 6);
    // y = 0 has no place on a log axis: the path starts at the second point.
    expect(container.querySelector('path')!.getAttribute('d')!.match(/[ML]/g)).toEqual(['M', 'L']);
  });
});
