/** A chart's legend, in HTML under the plot. */

export interface LegendItem {
  label: string;
  color: string;
  /** A dot rather than a line segment. */
  dot?: boolean;
}

/** The legend, in HTML under the plot (text in the body colour, swatches in the series'). */
export function ChartLegend({ items }: { items: readonly LegendItem[] }) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {items.map(({ label, color, dot }) => (
        <li key={label}>
          <span
            className={dot ? 'chart-swatch chart-swatch-dot' : 'chart-swatch'}
            style={{ background: color }}
          />
          {label}
        </li>
      ))}
    </ul>
  );
}
