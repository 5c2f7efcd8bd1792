import { describe, expect, it } from 'vitest';
import { BatchCursor } from './cursor';
import { LossChunker } from './lossChunker';

describe('the batch cursor', () => {
  it('walks every image once an epoch, a short last batch included, with a new shuffle each epoch', () => {
    const cursor = new BatchCursor(25, 10, 2, 7);
    expect([cursor.perEpoch, cursor.total]).toEqual([3, 6]);
    const seen: number[][] = [];
    const ends: boolean[] = [];
    while (!cursor.done) {
      const order = cursor.newOrder();
      if (order) seen.push([]);
      const { start, size } = cursor.batch();
      seen.at(-1)!.push(...cursor.order.subarray(start, start + size));
      ends.push(cursor.advance());
    }
    expect(ends).toEqual([false, false, true, false, false, true]);
    for (const epoch of seen) expect([...epoch].sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
    expect(seen[0]).not.toEqual(seen[1]);
  });

  it('rewound into an earlier epoch, takes that epoch’s batches again', () => {
    const cursor = new BatchCursor(30, 10, 2, 1);
    cursor.newOrder();
    const first = cursor.order.slice();
    for (let i = 0; i < 4; i++) cursor.advance();
    cursor.newOrder();
    expect(cursor.epoch).toBe(2);
    cursor.rewind(1);
    expect(cursor.newOrder()).toEqual(first);
    expect(cursor.batch()).toEqual({ start: 10, size: 10 });
  });
});

describe('the loss chunker', () => {
  it('posts finite losses in order, names the first that is not, and replaces losses posted again', () => {
    const posted: { firstBatch: number; losses: number[] }[] = [];
    const chunker = new LossChunker(1, 6, (m) => {
      if (m.type === 'metrics') posted.push({ firstBatch: m.firstBatch, losses: [...m.losses] });
    });
    expect(chunker.post(Float32Array.of(1, 2), 1, 0)).toBe(-1);
    expect(chunker.post(Float32Array.of(3, 4), 1, 0)).toBe(-1);
    chunker.rewind(2);
    expect(chunker.post(Float32Array.of(5, NaN, 7), 1, 0)).toBe(3);
    expect(posted).toEqual([
      { firstBatch: 0, losses: [1, 2] },
      { firstBatch: 2, losses: [3, 4] },
      { firstBatch: 2, losses: [5] },
    ]);
    expect(chunker.mean(0, 2)).toBeCloseTo((1 + 2 + 5) / 3, 6);
  });
});
