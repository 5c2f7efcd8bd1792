import { describe, expect, it } from 'vitest';
import { formatCount } from './format';

describe('formatCount', () => {
  it('writes whole numbers as en-US does, rounded', () => {
    for (const n of [0, 7, 999, 1000, 60000, 59210, 1234567, -4321, 12.6, -2.5, 8_000_000])
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'));
    expect(formatCount(-0.3)).toBe('0'); // toLocaleString writes -0
    expect(formatCount(Number.NaN)).toBe('NaN');
    expect(formatCount(Infinity)).toBe('Infinity');
  });
});
