/**
 * Sprite sheets decoded in parallel, as their files arrive: up to DECODERS workers inflate them
 * (decodeSheet.ts's SheetReader), several sheets each at once, taking each file's bytes as the
 * training worker's fetch hands them over; where a worker cannot start, or dies, its sheets are
 * decoded inline from their whole files. They are workers of their own because the data is ready
 * sooner than with every sheet inflated on the training worker, and take the bytes as they arrive
 * because waiting for whole files left the last sheets decoding well after their files were in
 * (docs/performance.md).
 *
 * Where the data set's images are in shared memory (loadMnist.ts), a decoder writes a sheet's
 * images into their place there, which makes the data ready sooner than sending them back to be
 * copied in (docs/performance.md); else it sends them back, and they are copied in.
 */
import { isShared } from '../../shared/memory';
import { DataError } from './dataError';
import { decodeSheet, SheetReader } from './decodeSheet';
import type { Shard } from './manifest';

/** One decoder per core, up to the cores beyond the page's own, and at least 2. */
const DECODERS = Math.max(2, Math.min(4, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1));

/** What the training worker sends a decoder about one sheet: its start, its bytes, its end. */
export type DecodeMessage =
  | {
      type: 'start';
      id: number;
      shard: Shard;
      columns: number;
      /** Where the images go, when that is shared memory the decoder can write. */
      into: Uint8Array<SharedArrayBuffer> | null;
    }
  | { type: 'bytes'; id: number; bytes: Uint8Array }
  | { type: 'end'; id: number };

export type DecodeAnswer =
  | { id: number; images: Uint8Array | null }
  | { id: number; error: { code: 'data-missing' | 'data-corrupt'; message: string } };

/** One sheet being decoded as its file arrives. */
export interface SheetSink {
  /** The file's next bytes, in order; the sink may take them over (send them on). */
  push(bytes: Uint8Array): void;
  /**
   * The whole file has arrived and been verified (`png`, all of it): resolves once its images are
   * in place, or rejects with the DataError that names the fault.
   */
  end(png: Uint8Array): Promise<void>;
}

export interface Decoders {
  /**
   * Starts decoding the images of `shard` (784 bytes each) into `into` (`shard.count` images'
   * bytes), as its PNG file's bytes are pushed into the sink returned.
   */
  open(shard: Shard, columns: number, into: Uint8Array): SheetSink;
  /** Ends the decoder workers (the load is over, or lost). */
  close(): void;
}

interface Slot {
  worker: Worker;
  /** The sheets it decodes now. */
  jobs: Set<Job>;
}

interface Job {
  id: number;
  shard: Shard;
  columns: number;
  into: Uint8Array;
  slot: Slot | null;
  /** The whole file, once it has arrived: what a lost decoder's sheet is decoded inline from. */
  png: Uint8Array | null;
  resolve: () => void;
  reject: (e: Error) => void;
}

class WorkerDecoders implements Decoders {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), {
        type: 'module',
        name: `decoder ${i + 1}`,
      });
      const slot: Slot = { worker, jobs: new Set() };
      worker.onmessage = (event: MessageEvent<DecodeAnswer>) => this.answer(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.lose(slot);
      };
      this.slots.push(slot);
    }
  }

  open(shard: Shard, columns: number, into: Uint8Array): SheetSink {
    // The decoder with the fewest sheets on its hands: each sheet streams in at once, so sheets
    // are shared out as they start rather than queued.
    const slot = this.slots.reduce<Slot | null>((a, b) => (a && a.jobs.size <= b.jobs.size ? a : b), null);
    let resolve = () => {};
    let reject: (e: Error) => void = () => {};
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    const job: Job = { id: this.nextId++, shard, columns, into, slot, png: null, resolve, reject };
    this.jobs.set(job.id, job);
    if (slot) {
      slot.jobs.add(job);
      this.send(slot, {
        type: 'start',
        id: job.id,
        shard,
        columns,
        into: isShared(into.buffer) ? (into as Uint8Array<SharedArrayBuffer>) : null,
      });
    }
    return {
      push: (bytes) => {
        if (!job.slot) return;
        // Sent, not copied, where the bytes are a whole buffer of their own (a fetch's chunks are).
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
        const own = whole ? bytes : bytes.slice();
        this.send(job.slot, { type: 'bytes', id: job.id, bytes: own }, [own.buffer as ArrayBuffer]);
      },
      end: (png) => {
        job.png = png;
        if (job.slot) this.send(job.slot, { type: 'end', id: job.id });
        else this.inline(job);
        return done;
      },
    };
  }

  close(): void {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.length = 0;
  }

  private send(slot: Slot, msg: DecodeMessage, transfer: Transferable[] = []): void {
    slot.worker.postMessage(msg, transfer);
  }

  private answer(msg: DecodeAnswer): void {
    const job = this.jobs.get(msg.id);
    if (!job) return;
    this.jobs.delete(msg.id);
    job.slot?.jobs.delete(job);
    if ('error' in msg) job.reject(new DataError(msg.error.code, msg.error.message));
    else {
      if (msg.images) job.into.set(msg.images);
      job.resolve();
    }
  }

  /**
   * A decoder that failed to start or died: its sheets are decoded inline from their files once
   * these have arrived, and it takes no more.
   */
  private lose(slot: Slot): void {
    slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1);
    for (const job of slot.jobs) {
      job.slot = null;
      if (job.png) this.inline(job);
    }
    slot.jobs.clear();
  }

  private inline(job: Job): void {
    if (!this.jobs.delete(job.id)) return;
    decodeSheet(job.shard, job.png!, job.columns, job.into).then(() => job.resolve(), job.reject);
  }
}

/** Decoding inline, where no worker can start: as the bytes arrive, on the training worker. */
const inlineDecoders: Decoders = {
  open: (shard, columns, into) => {
    const reader = new SheetReader(shard, columns, into);
    return {
      push: (bytes) => reader.push(bytes),
      end: async () => void (await reader.end()),
    };
  },
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
