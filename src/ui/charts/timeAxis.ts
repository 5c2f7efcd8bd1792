/**
 * What both charts draw along their x axis: the axis itself (batches, epochs or seconds of
 * training; series.ts's XScale) and a dashed line at each epoch's end.
 */
import type { PlotAxis, PlotMark } from './Plot';
import type { XScale } from './series';

/** An epoch's end on the x axis. */
export interface Boundary {
  epoch: number;
  x: number;
}

export function timeAxis(x: XScale): PlotAxis {
  return { min: 0, max: x.max, ticks: x.ticks, format: x.format, label: x.label };
}

export function epochMarks(boundaries: readonly Boundary[]): PlotMark[] {
  return boundaries.map((b) => ({ x: b.x, label: `E${b.epoch}` }));
}
