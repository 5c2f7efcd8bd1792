/**
 * The 10x10 confusion matrix of the test set at an epoch's end: rows the true digit, columns the
 * one predicted, counts or row percentages, the diagonal marked. A cell holding mistakes is a
 * button: it opens those digits (MistakesList).
 */
import { useState } from 'react';
import { NUM_CLASSES } from '../../shared/mnist';
import type { Cell } from './analysis';

const DIGITS = Array.from({ length: NUM_CLASSES }, (_, i) => i);

interface Props {
  confusion: readonly number[];
  selected: Cell | null;
  onSelect: (cell: Cell) => void;
}

export function ConfusionMatrix({ confusion, selected, onSelect }: Props) {
  const [percent, setPercent] = useState(false);
  const rowSums = DIGITS.map((t) => DIGITS.reduce((n, p) => n + confusion[t * NUM_CLASSES + p], 0));
  let maxOff = 1;
  for (const t of DIGITS)
    for (const p of DIGITS) if (t !== p) maxOff = Math.max(maxOff, confusion[t * NUM_CLASSES + p]);

  return (
    <div className="matrix">
      <fieldset className="segmented">
        <legend>Cells show</legend>
        <label>
          <input type="radio" name="matrix-values" checked={!percent} onChange={() => setPercent(false)} />
          Counts
        </label>
        <label>
          <input type="radio" name="matrix-values" checked={percent} onChange={() => setPercent(true)} />
          Row %
        </label>
      </fieldset>
      <div className="table-scroll">
        <table className="confusion" aria-label="Confusion matrix">
          <caption>Rows: the true digit. Columns: the digit predicted. The diagonal is right.</caption>
          <thead>
            <tr>
              <td className="corner" aria-hidden="true">
                true \ predicted
              </td>
              {DIGITS.map((p) => (
                <th key={p} scope="col">
                  {p}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {DIGITS.map((t) => (
              <tr key={t}>
                <th scope="row">{t}</th>
                {DIGITS.map((p) => {
                  const n = confusion[t * NUM_CLASSES + p];
                  const shown = percent
                    ? `${rowSums[t] > 0 ? ((100 * n) / rowSums[t]).toFixed(1) : '0.0'}%`
                    : String(n);
                  const diagonal = t === p;
                  const isSelected = selected?.truth === t && selected.predicted === p;
                  // Mistakes tinted by their share of the largest off-diagonal count.
                  const style =
                    !diagonal && n > 0 ? { '--heat': (0.15 + 0.85 * (n / maxOff)).toFixed(3) } : undefined;
                  return (
                    <td
                      key={p}
                      className={diagonal ? 'diagonal' : n > 0 ? 'mistake' : undefined}
                      style={style as React.CSSProperties | undefined}
                    >
                      {!diagonal && n > 0 ? (
                        <button
                          type="button"
                          aria-pressed={isSelected}
                          aria-label={`${shown}: true ${t}, predicted ${p}`}
                          onClick={() => onSelect({ truth: t, predicted: p })}
                        >
                          {shown}
                        </button>
                      ) : (
                        shown
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
