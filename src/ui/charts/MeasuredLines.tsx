import { CHART_COLORS, type MeasuredSeries } from './series';
import { SeriesDots, SeriesPath } from './SvgSeries';

interface Props {
  train: MeasuredSeries;
  test: MeasuredSeries;
  smoothing: number;
}

/**
 * The train and test lines of a measured quantity: smoothed, the raw values faint beneath (as
 * TensorBoard draws them) when `smoothing` is on, and the epochs' full-set values as dots.
 */
export function MeasuredLines({ train, test, smoothing }: Props) {
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
