/**
 * A plot: a fixed-height box holding axes, grid and epoch lines as plain SVG, the series given as
 * children drawn in its coordinates (SvgSeries.tsx reads them from context), and an overlay (an
 * empty state) over it. Its width follows the box's (ResizeObserver).
 *
 * Hand-written rather than recharts, to keep every main-thread task under 50 ms: loading recharts
 * and mounting its two charts (a first mount compiles much of its code, creates a store per chart
 * and runs its selectors) could each take longer than that as the page opened (docs/performance.md),
 * for two number axes, a grid and dashed lines, with every tick already computed in series.ts.
 * This draws the same in well under a millisecond a render, in a few dozen elements.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { CHART_COLORS } from './series';

/** One axis: its domain, its ticks (all drawn) and how they read. */
export interface PlotAxis {
  min: number;
  max: number;
  ticks: readonly number[];
  format: (value: number) => string;
  /** Logarithmic (y only; min > 0). */
  log?: boolean;
  /** The x axis's unit, written at its right end. */
  label?: string;
}

/** A dashed vertical line at x (an epoch's end), named at its top. */
export interface PlotMark {
  x: number;
  label: string;
}

/** Data coordinates to pixels in the plot's SVG; NaN for values a log axis cannot show. */
export interface PlotScales {
  x: (v: number) => number;
  y: (v: number) => number;
}

const ScalesContext = createContext<PlotScales | null>(null);

/** The scales of the enclosing Plot (null outside one). */
export function usePlotScales(): PlotScales | null {
  return useContext(ScalesContext);
}

interface Props {
  height: number;
  x: PlotAxis;
  y: PlotAxis;
  marks?: readonly PlotMark[];
  /** Room for the y tick labels ("0.0001" on a log axis needs more). */
  yWidth?: number;
  children?: ReactNode;
  /** Drawn over the plot (an empty state). */
  overlay?: ReactNode;
}

/** Space around the plot area, in CSS pixels (as recharts laid it out: the same look as before). */
const MARGIN = { top: 8, right: 14, bottom: 12 };
/** The x axis's band: its tick marks and labels. */
const X_AXIS_HEIGHT = 30;
const TICK = 6;
/** Width before the first measurement (and where ResizeObserver is missing, as in jsdom). */
const DEFAULT_WIDTH = 600;

function linear(from: number, to: number, min: number, max: number): (v: number) => number {
  const k = max > min ? (to - from) / (max - min) : 0;
  return (v) => from + (v - min) * k;
}

function logarithmic(from: number, to: number, min: number, max: number): (v: number) => number {
  const lo = Math.log10(min);
  const f = linear(from, to, lo, Math.log10(max));
  return (v) => (v > 0 ? f(Math.log10(v)) : Number.NaN);
}

export function Plot({ height, x, y, marks = [], yWidth = 44, children, overlay }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  // The box's width, from its first layout on. ResizeObserver reports it after the page's layout
  // and before its paint, and flushSync draws the plot to it before that paint: reading
  // clientWidth here instead would force the page's first layout (fonts and all) into React's
  // commit (docs/performance.md).
  useEffect(() => {
    const div = box.current;
    if (!div || typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry.contentRect.width);
      if (measured > 0) flushSync(() => setWidth(measured));
    });
    observer.observe(div);
    return () => observer.disconnect();
  }, []);

  const left = yWidth;
  const right = Math.max(left + 1, width - MARGIN.right);
  const top = MARGIN.top;
  const bottom = Math.max(top + 1, height - MARGIN.bottom - X_AXIS_HEIGHT);
  const scales = useMemo<PlotScales>(
    () => ({
      x: linear(left, right, x.min, x.max),
      y: (y.log ? logarithmic : linear)(bottom, top, y.min, y.max),
    }),
    [left, right, top, bottom, x.min, x.max, y.min, y.max, y.log],
  );
  const px = scales.x;
  const py = scales.y;

  return (
    <div ref={box} className="chart-plot" style={{ height }}>
      <svg className="plot" width={width} height={height} aria-hidden="true">
        <g className="plot-grid" stroke={CHART_COLORS.grid}>
          {y.ticks.map((t) => (
            <line key={t} x1={left} x2={right} y1={py(t)} y2={py(t)} />
          ))}
        </g>
        <g className="plot-y-axis" stroke={CHART_COLORS.axis} fill={CHART_COLORS.axis} fontSize={12}>
          <line x1={left} x2={left} y1={top} y2={bottom} />
          {y.ticks.map((t) => (
            <g key={t} className="plot-tick">
              <line x1={left - TICK} x2={left} y1={py(t)} y2={py(t)} />
              <text x={left - TICK - 2} y={py(t)} dy="0.32em" textAnchor="end" stroke="none">
                {y.format(t)}
              </text>
            </g>
          ))}
        </g>
        <g className="plot-x-axis" stroke={CHART_COLORS.axis} fill={CHART_COLORS.axis} fontSize={12}>
          <line x1={left} x2={right} y1={bottom} y2={bottom} />
          {x.ticks.map((t) => (
            <g key={t} className="plot-tick">
              <line x1={px(t)} x2={px(t)} y1={bottom} y2={bottom + TICK} />
              <text x={px(t)} y={bottom + TICK + 2} dy="0.71em" textAnchor="middle" stroke="none">
                {x.format(t)}
              </text>
            </g>
          ))}
          {x.label && (
            <text x={right + 6} y={bottom + X_AXIS_HEIGHT + 6} textAnchor="end" stroke="none" fontSize={12}>
              {x.label}
            </text>
          )}
        </g>
        <g className="plot-marks">
          {marks.map((m) => (
            <g key={m.label}>
              <line
                x1={px(m.x)}
                x2={px(m.x)}
                y1={top}
                y2={bottom}
                stroke={CHART_COLORS.boundary}
                strokeDasharray="4 4"
              />
              <text
                x={px(m.x) - 5}
                y={top + 5}
                dy="0.71em"
                textAnchor="end"
                fill={CHART_COLORS.axis}
                fontSize={12}
              >
                {m.label}
              </text>
            </g>
          ))}
        </g>
        <ScalesContext.Provider value={scales}>{children}</ScalesContext.Provider>
      </svg>
      {overlay}
    </div>
  );
}
