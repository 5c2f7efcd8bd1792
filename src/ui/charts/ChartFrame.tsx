/**
 * What every plot here shares, inside its PlotBox: recharts' responsive container and chart with
 * no keyboard layer (a plot is a picture; its numbers are in captions and tables) and the grid.
 * The axes and series are `children`, direct children of the chart as recharts needs them. Only
 * the plots (*Plot.tsx, loaded lazily: see PlotBox.tsx) import this file and recharts.
 */
import type { ReactNode } from 'react';
import { CartesianGrid, ComposedChart, ResponsiveContainer } from 'recharts';
import { CHART_COLORS, type MeasuredSeries } from './series';
import { SeriesDots, SeriesPath } from './SvgSeries';

export function ChartFrame({ children }: { children: ReactNode }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart accessibilityLayer={false} margin={{ top: 8, right: 14, bottom: 12, left: 0 }}>
        <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
        {children}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

/**
 * The train and test lines of a measured quantity: smoothed, the raw values faint beneath (as
 * TensorBoard draws them) when `smoothing` is on, and the epochs' full-set values as dots.
 * Elements, not a component: the chart must see them as its own children.
 */
export function measuredLines(train: MeasuredSeries, test: MeasuredSeries, smoothing: number) {
  return [
    smoothing > 0 && (
      <SeriesPath key="train-raw" points={train.raw} stroke={CHART_COLORS.trainFaint} width={1} />
    ),
    smoothing > 0 && (
      <SeriesPath key="test-raw" points={test.raw} stroke={CHART_COLORS.testFaint} width={1} />
    ),
    <SeriesPath key="train" points={train.smoothed} stroke={CHART_COLORS.train} width={2} />,
    <SeriesPath key="test" points={test.smoothed} stroke={CHART_COLORS.test} width={2} />,
    <SeriesDots key="train-full" points={train.full} fill={CHART_COLORS.train} />,
    <SeriesDots key="test-full" points={test.full} fill={CHART_COLORS.test} />,
  ];
}
