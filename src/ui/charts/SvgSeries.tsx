/**
 * Chart series drawn as plain SVG in the enclosing Plot's coordinates: one <path> or a few
 * circles, with no per-point work on an update (recharts' <Line> had it, and its renders made
 * main-thread tasks over 50 ms; docs/performance.md). A path through 1,000 points is a string
 * built in well under 1 ms. Nothing is clipped to the plot area: the axes' domains must cover the
 * data (series.ts sizes them so).
 */
import { usePlotScales } from './Plot';
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

/** One polyline through `points`, in the enclosing plot's coordinates. */
export function SeriesPath({
  points,
  stroke,
  width,
}: {
  points: readonly XY[];
  stroke: string;
  width: number;
}) {
  const scales = usePlotScales();
  if (!scales || points.length === 0) return null;
  const d = polyline(points, scales.x, scales.y);
  return <path d={d} fill="none" stroke={stroke} strokeWidth={width} strokeLinejoin="round" />;
}

/** A dot at each of `points`. */
export function SeriesDots({ points, fill }: { points: readonly XY[]; fill: string }) {
  const scales = usePlotScales();
  if (!scales) return null;
  const { x, y } = scales;
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
