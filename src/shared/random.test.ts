import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, shuffledIndices } from './random';

describe('seeded randomness', () => {
  it('shuffles every index exactly once, reproducibly, and differently per seed', () => {
    const order = shuffledIndices(1000, mulberry32(3));
    expect([...order].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(shuffledIndices(1000, mulberry32(3))).toEqual(order);
    expect(shuffledIndices(1000, mulberry32(4))).not.toEqual(order);
  });

  it('derives a different stream for each epoch of a seed', () => {
    const seeds = new Set([1, 2, 3].flatMap((epoch) => [deriveSeed(0, epoch), deriveSeed(1, epoch)]));
    expect(seeds.size).toBe(6);
  });
});
