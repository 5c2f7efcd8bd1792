/**
 * The decoder workers' bookkeeping (decoders.ts), with stand-in workers that die: a sheet whose
 * decoder dies, part way through its bytes or once they are all sent, is decoded on the training
 * worker, to the same images, and no sheet is lost or decoded twice.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeSheet } from '../../../scripts/sprites.mjs';
import { IMAGE_SIZE } from '../../shared/mnist';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import { createDecoders, type DecodeMessage } from './decoders';
import type { Shard } from './manifest';

const images = loadMnistSubset(0, 1000).test.images;
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** A worker that takes messages, never answers, and dies at its `dieAt`-th message. */
function dyingWorkers(dieAt: (kind: DecodeMessage['type']) => boolean) {
  const made: { messages: DecodeMessage[]; died: Promise<void> | null }[] = [];
  class DyingWorker {
    onmessage: unknown = null;
    onerror: ((e: { preventDefault(): void }) => void) | null = null;
    readonly messages: DecodeMessage[] = [];
    /** Resolves once its death has been reported (onerror called); null while it lives. */
    died: Promise<void> | null = null;
    private dead = false;
    constructor() {
      made.push(this);
    }
    postMessage(msg: DecodeMessage) {
      if (this.dead) return;
      this.messages.push(msg);
      if (dieAt(msg.type)) {
        this.dead = true;
        this.died = new Promise((resolve) =>
          setTimeout(() => {
            this.onerror?.({ preventDefault() {} });
            resolve();
          }),
        );
      }
    }
    terminate() {
      this.dead = true;
    }
  }
  vi.stubGlobal('Worker', DyingWorker);
  return made;
}

/** Decodes two sheets; `beforeEnd` resolves when the ends may be sent. */
async function decodeTwo(beforeEnd: () => Promise<unknown>): Promise<Uint8Array[]> {
  const decoders = createDecoders();
  const sheets = [0, 1].map((k) => {
    const count = 300;
    const shard: Shard = { file: `test-${k}.png`, bytes: 0, sha256: '', first: k * count, count };
    const png = encodeSheet(images.subarray(k * count * IMAGE_SIZE, (k + 1) * count * IMAGE_SIZE), count);
    const into = new Uint8Array(count * IMAGE_SIZE);
    return { shard, png, into, sink: decoders.open(shard, 100, into) };
  });
  // The two files arrive interleaved, in pieces.
  for (let at = 0; at < Math.max(...sheets.map((s) => s.png.length)); at += 5000)
    for (const s of sheets) if (at < s.png.length) s.sink.push(s.png.slice(at, at + 5000));
  // The worker's death is heard before the end where it dies part way through.
  await beforeEnd();
  await Promise.all(sheets.map((s) => s.sink.end(s.png)));
  decoders.close();
  return sheets.map((s) => s.into);
}

describe('decoder workers that die', () => {
  afterEach(() => vi.unstubAllGlobals());

  for (const [when, dieAt] of [
    ['part way through a sheet', (kind: string) => kind === 'bytes'],
    ['once a sheet is all sent', (kind: string) => kind === 'end'],
  ] as const)
    it(`leave their sheets to be decoded inline, exactly (${when})`, async () => {
      const made = dyingWorkers(dieAt);
      const [a, b] = await decodeTwo(() => Promise.all(made.map((w) => w.died)));
      // Both sheets went to workers, one each, and each worker died.
      expect(made.length).toBeGreaterThanOrEqual(2);
      expect(made[0].messages[0]).toMatchObject({ type: 'start', id: 1 });
      expect(made[1].messages[0]).toMatchObject({ type: 'start', id: 2 });
      expect(same(a, images.subarray(0, 300 * IMAGE_SIZE))).toBe(true);
      expect(same(b, images.subarray(300 * IMAGE_SIZE, 600 * IMAGE_SIZE))).toBe(true);
    });
});
