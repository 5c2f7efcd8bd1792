/**
 * A plot's fixed-height box, with the plot loaded lazily inside it and an overlay (the empty
 * state) over it.
 *
 * Why lazily: recharts and what it brings (~310 kB of the page's 590 kB) are the plots' alone.
 * Loaded with the page, evaluating that one chunk was a main-thread task of 190 ms while the page
 * opened (a trace of a page load, 2 cores, 2026-12-04). Imported here instead, recharts is
 * evaluated in a task of its own after the page has rendered, and the box keeps the page's layout
 * from moving when the plot arrives.
 */
import { Suspense, type ReactNode } from 'react';

interface Props {
  height: number;
  /** The plot: a lazy component's element. */
  children: ReactNode;
  /** Drawn over the plot (an empty state). */
  overlay?: ReactNode;
}

export function PlotBox({ height, children, overlay }: Props) {
  return (
    <div className="chart-plot" style={{ height }}>
      <Suspense fallback={null}>{children}</Suspense>
      {overlay}
    </div>
  );
}
