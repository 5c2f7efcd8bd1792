/**
 * Sprite sheets decoded in parallel: up to DECODERS workers inflate them (decodeSheet.ts), a
 * sheet each at a time, while the training worker fetches the rest and starts its backend; where
 * a worker cannot start, or dies, the sheet is decoded inline. Measured 2026-12-04 (headless
 * Chromium, 2 cores, median of 5 page loads, interleaved): data ready after 1,265 ms with two
 * decoder workers and 1,512 ms with every sheet inflated on the training worker.
 *
 * Where the data set's images are in shared memory (loadMnist.ts), a decoder writes a sheet's
 * images into their place there; else it sends them back, and they are copied in. Measured
 * 2026-12-05 (same setting, 8 page loads each, interleaved): data ready after 1,514 ms so,
 * against 1,693 ms when every sheet was inflated whole, its tiles copied out of it, sent back and
 * copied into the data set.
 */
import { isShared } from '../../shared/memory';
import { DataError } from './dataError';
import { decodeSheet } from './decodeSheet';
import type { Shard } from './manifest';

/** One decoder per core, up to the cores beyond the page's own, and at least 2. */
const DECODERS = Math.max(2, Math.min(4, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1));

export interface DecodeJob {
  id: number;
  shard: Shard;
  png: Uint8Array;
  columns: number;
  /** Where the images go, when that is shared memory the decoder can write. */
  into: Uint8Array<SharedArrayBuffer> | null;
}

export type DecodeAnswer =
  | { id: number; images: Uint8Array | null }
  | { id: number; error: { code: 'data-missing' | 'data-corrupt'; message: string } };

export interface Decoders {
  /**
   * Decodes the images of `shard` (784 bytes each) from its PNG bytes `png` into `into`
   * (`shard.count` images' bytes).
   */
  decode(shard: Shard, png: Uint8Array, columns: number, into: Uint8Array): Promise<void>;
  /** Ends the decoder workers (the load is over). */
  close(): void;
}

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  job: DecodeJob;
  into: Uint8Array;
}

class WorkerDecoders implements Decoders {
  private readonly workers: { worker: Worker; busy: number | null }[] = [];
  private readonly queue: DecodeJob[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), {
        type: 'module',
        name: `decoder ${i + 1}`,
      });
      const slot = { worker, busy: null as number | null };
      worker.onmessage = (event: MessageEvent<DecodeAnswer>) => this.answer(slot, event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.lose(slot);
      };
      this.workers.push(slot);
    }
  }

  decode(shard: Shard, png: Uint8Array, columns: number, into: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const job = {
        id: this.nextId++,
        shard,
        png,
        columns,
        into: isShared(into.buffer) ? (into as Uint8Array<SharedArrayBuffer>) : null,
      };
      this.pending.set(job.id, { resolve, reject, job, into });
      this.queue.push(job);
      this.pump();
    });
  }

  close(): void {
    for (const { worker } of this.workers) worker.terminate();
    this.workers.length = 0;
    // Anything still queued (none after a load) is decoded inline.
    this.pump();
  }

  private pump(): void {
    while (this.queue.length) {
      const free = this.workers.find((w) => w.busy === null);
      if (!free && this.workers.length) return;
      const job = this.queue.shift()!;
      if (!free) {
        this.inline(job);
        continue;
      }
      free.busy = job.id;
      // Copied, not transferred (~2 MB, ~1 ms): should the worker die, the sheet is decoded inline.
      free.worker.postMessage(job);
    }
  }

  private answer(slot: { busy: number | null }, msg: DecodeAnswer): void {
    slot.busy = null;
    const p = this.pending.get(msg.id);
    this.pending.delete(msg.id);
    if (p) {
      if ('error' in msg) p.reject(new DataError(msg.error.code, msg.error.message));
      else {
        if (msg.images) p.into.set(msg.images);
        p.resolve();
      }
    }
    this.pump();
  }

  /** A decoder that failed to start or died: its sheet is decoded inline, and it takes no more. */
  private lose(slot: { worker: Worker; busy: number | null }): void {
    slot.worker.terminate();
    this.workers.splice(this.workers.indexOf(slot), 1);
    const lost = slot.busy !== null ? this.pending.get(slot.busy) : undefined;
    if (lost) this.inline(lost.job);
    this.pump();
  }

  private inline(job: DecodeJob): void {
    const p = this.pending.get(job.id);
    if (!p) return;
    this.pending.delete(job.id);
    decodeSheet(job.shard, job.png, job.columns, p.into).then(() => p.resolve(), p.reject);
  }
}

/** Decoding inline, where no worker can start. */
const inlineDecoders: Decoders = {
  decode: async (shard, png, columns, into) => void (await decodeSheet(shard, png, columns, into)),
  close: () => {},
};

export function createDecoders(): Decoders {
  if (typeof Worker !== 'function') return inlineDecoders;
  try {
    return new WorkerDecoders(DECODERS);
  } catch {
    return inlineDecoders;
  }
}
