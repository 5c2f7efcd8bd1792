/**
 * Chart series drawn as plain SVG inside a recharts chart, rather than recharts' <Line> and
 * <Scatter>: recharts lays out the axes and the grid, and these read its scales (public hooks)
 * and draw one <path> or a few circles. Measured in the app on a 2-core machine: <Line> did
 * per-point work on every update (label lists, immer state), and its renders (the first with data,
 * the one after each epoch) were main-thread tasks over 50 ms in 3 of 8 runs; with these, none in 8
 * and no task over ~40 ms. A path through 1,000 points is a string built in well under 1 ms.
 * The axes need fixed domains (allowDataOverflow), since no recharts item hands them data, and
 * nothing is clipped to the plot area: the domains must cover the data (series.ts sizes them so).
 */
import { useXAxisScale, useYAxisScale } from 'recharts';
import type { XY } from './series';

/**
 * Pixels far off the plot kept to plain numbers: a diverging run's loss of ~1e38 maps to a
 * coordinate SVG's parser rejects (a console error, caught by the e2e divergence test).
 */
function onCanvas(v: number): string {
  return Math.max(-1e5, Math.min(1e5, v)).toFixed(1);
}

/**
 * The SVG path data of a polyline through `points`, mapped by the scales x and y; points off the
 * scales (undefined or NaN) are skipped. Pure, for tests.
 */
export function polyline(
  points: readonly XY[],
  x: (v: number) => number | undefined,
  y: (v: number) => number | undefined,
): string {
  let d = '';
  for (const p of points) {
    const px = x(p.x);
    const py = y(p.y);
    if (px === undefined || py === undefined || !Number.isFinite(px) || !Number.isFinite(py)) continue;
    d += `${d ? 'L' : 'M'}${onCanvas(px)},${onCanvas(py)}`;
  }
  return d;
}

/** One polyline through `points`, in the enclosing chart's axis coordinates. */
export function SeriesPath({
  points,
  stroke,
  width,
}: {
  points: readonly XY[];
  stroke: string;
  width: number;
}) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y || points.length === 0) return null;
  const d = polyline(points, x, y);
  return <path d={d} fill="none" stroke={stroke} strokeWidth={width} strokeLinejoin="round" />;
}

/** A dot at each of `points`. */
export function SeriesDots({ points, fill }: { points: readonly XY[]; fill: string }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y) return null;
  return (
    <g>
      {points.map((p) => {
        const cx = x(p.x);
        const cy = y(p.y);
        return cx !== undefined && cy !== undefined && Number.isFinite(cx) && Number.isFinite(cy) ? (
          <circle key={p.x} cx={onCanvas(cx)} cy={onCanvas(cy)} r={4} fill={fill} />
        ) : null;
      })}
    </g>
  );
}
