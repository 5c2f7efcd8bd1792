/**
 * Test digits the model read, each with its image and its probabilities: a confusion cell's
 * images ("Mistakes: true 4, predicted 9") or the most confident mistakes of all.
 */
import type { AnalysedDigit } from '../../shared/protocol';
import { Preview28 } from '../draw/Preview28';

interface Props {
  name: string;
  digits: readonly AnalysedDigit[];
}

export function DigitList({ name, digits }: Props) {
  return (
    <ul className="digit-list" aria-label={name}>
      {digits.map((d) => {
        const confidence = d.probabilities[d.predicted];
        const top = d.probabilities
          .map((p, digit) => ({ p, digit }))
          .sort((a, b) => b.p - a.p)
          .slice(0, 3);
        return (
          <li key={d.index}>
            <Preview28 pixels={d.pixels} size={56} label={`Test image ${d.index}, labelled ${d.label}`} />
            <div className="digit-facts">
              <span>
                <strong>{d.predicted}</strong> at {(confidence * 100).toFixed(1)}%; is {d.label}
              </span>
              <span className="probabilities" aria-label="Top probabilities">
                {top.map(({ p, digit }) => `${digit}: ${(p * 100).toFixed(1)}%`).join(', ')}
              </span>
              <span className="hint">#{d.index}</span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
