/**
 * Memory that other threads can take as it is: a SharedArrayBuffer where the context is
 * cross-origin isolated (the page's headers, vite.config.ts), a plain ArrayBuffer where it is not
 * (there SharedArrayBuffer is not even defined, and such memory is copied between threads).
 */

/** `bytes` of zeroed memory, shared where it can be. */
export function shareableBuffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function'
    ? new SharedArrayBuffer(bytes)
    : new ArrayBuffer(bytes);
}

/** Whether `buffer` is shared memory (another thread reads and writes it in place). */
export function isShared(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}
