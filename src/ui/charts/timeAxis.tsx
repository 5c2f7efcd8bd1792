/**
 * What both charts draw along their x axis: the axis itself (batches, epochs or seconds of
 * training; series.ts's XScale) and a dashed line at each epoch's end. Functions returning
 * recharts elements rather than components, so that the chart sees its XAxis and ReferenceLines
 * as its own children.
 */
import { ReferenceLine, XAxis } from 'recharts';
import { CHART_COLORS, type XScale } from './series';

/** An epoch's end on the x axis. */
export interface Boundary {
  epoch: number;
  x: number;
}

export function timeAxis(x: XScale) {
  return (
    <XAxis
      type="number"
      // No item hands this axis data, but without a dataKey recharts draws no scale at all.
      dataKey="x"
      domain={[0, x.max]}
      // Fixed domains: the series draw themselves (SvgSeries.tsx) and hand recharts no data.
      allowDataOverflow
      allowDecimals={x.mode !== 'batches'}
      tickFormatter={x.format}
      stroke={CHART_COLORS.axis}
      fontSize={12}
      label={{
        value: x.label,
        position: 'insideBottomRight',
        offset: -6,
        fill: CHART_COLORS.axis,
        fontSize: 11,
      }}
    />
  );
}

export function epochLines(boundaries: readonly Boundary[]) {
  return boundaries.map((b) => (
    <ReferenceLine
      key={b.epoch}
      x={b.x}
      stroke={CHART_COLORS.boundary}
      strokeDasharray="4 4"
      label={{ value: `E${b.epoch}`, position: 'insideTopRight', fill: CHART_COLORS.axis, fontSize: 11 }}
    />
  ));
}
