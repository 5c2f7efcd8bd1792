/**
 * Requests paired with their replies: each request gets an id, and the `reply` or `error` that
 * carries it settles its promise. Typed by a request table (shared/protocol.ts's `Requests`, or
 * the dev hooks' own): the table names each request's reply, so no caller checks a reply's type.
 * A request whose signal aborts is given up at once; its late answer is dropped.
 */
import type { FromWorker, ReplyOf, RequestMessage, RequestTable } from '../shared/protocol';

interface Pending {
  resolve: (reply: unknown) => void;
  reject: (e: unknown) => void;
}

/** Sends a message to the worker, transferring `transfer`. */
export type Send = (msg: { type: string; requestId: number }, transfer: Transferable[]) => void;

/** A request as its caller writes it: the request table's arguments, without an id (for each K). */
export type RequestBody<T extends RequestTable<T>, K extends keyof T & string> = K extends K
  ? Omit<RequestMessage<T, K>, 'requestId'>
  : never;

export class PendingRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /**
   * Sends `msg` through `send` with a fresh id; resolves with its reply, rejects with its error
   * (an Error with the worker's message) or, when `signal` aborts, with the signal's reason.
   */
  request<T extends RequestTable<T>, K extends keyof T & string>(
    send: Send,
    msg: RequestBody<T, K>,
    transfer: Transferable[] = [],
    signal?: AbortSignal,
  ): Promise<ReplyOf<T, K>> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const requestId = this.nextId++;
    return new Promise<ReplyOf<T, K>>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(requestId);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      const settle = {
        // The table says what this request is answered with; the worker's handler is typed by it.
        resolve: (reply: unknown) => {
          done();
          resolve(reply as ReplyOf<T, K>);
        },
        reject: (e: unknown) => {
          done();
          reject(e);
        },
      };
      this.pending.set(requestId, settle);
      try {
        send({ ...msg, requestId }, transfer);
      } catch (e) {
        // Not sent (a buffer that cannot be cloned or transferred): nothing will answer it.
        this.pending.delete(requestId);
        settle.reject(e);
      }
    });
  }

  /**
   * Settles the request `msg` answers. True when `msg` answers a request, settled now or given up
   * before (a reply, or an error with a requestId): it is then no event for the page.
   */
  settle(msg: FromWorker): boolean {
    if (msg.type !== 'reply' && (msg.type !== 'error' || msg.requestId === undefined)) return false;
    const p = this.pending.get(msg.requestId!);
    this.pending.delete(msg.requestId!);
    if (msg.type === 'reply') p?.resolve(msg.reply);
    else p?.reject(new Error(msg.message));
    return true;
  }

  /** Rejects every request waiting (its worker is gone), with `message`. */
  rejectAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  /** How many requests wait for their answer. */
  get size(): number {
    return this.pending.size;
  }
}
