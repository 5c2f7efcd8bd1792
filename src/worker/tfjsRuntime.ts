/**
 * TensorFlow.js in the training worker (~1.7 MB of its code): its backends, the WASM binaries
 * from our own origin, and the start of one backend. Loaded by backend.ts only where something
 * runs on it: the webgl, wasm and cpu backends, and on the project's own CPU engine ('js') only
 * for what needs TensorFlow.js there (the TF.js format, a model the CPU engine cannot train).
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendInfo } from '../shared/protocol';

export { tf };

/** Vite copies the binaries into the build and gives their URLs: no CDN, works offline. */
// tfjs insists on all three entries, though the threaded one is never fetched (see below).
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});
/**
 * Single-threaded WASM. The threaded build starts its pthread workers from a function's source
 * text, which a minifier breaks ("e is not defined" in the production build); and at batch 10 the
 * matrices are too small for threads to pay off. So no SharedArrayBuffer, and no need for
 * cross-origin isolation headers on the host.
 */
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/** Starts tfjs's backend `name` and proves it computes; throws why it cannot. */
export async function startBackend(name: 'webgl' | 'wasm' | 'cpu'): Promise<void> {
  // tfjs refuses software renderers unless told otherwise; we chose knowingly.
  if (name === 'webgl') tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  if (!(await tf.setBackend(name))) throw new Error('it did not initialize');
  await tf.ready();
  // A real op proves the backend computes, not just that it registered.
  const two = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
  const value = (await two.data())[0];
  two.dispose();
  if (value !== 2) throw new Error('a test computation gave a wrong result');
}

/** Starts the first of `names` that tfjs can start; its name. */
export async function startFirst(names: ('wasm' | 'cpu')[]): Promise<string> {
  const failures: string[] = [];
  for (const name of names) {
    try {
      await startBackend(name);
      return name;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`TensorFlow.js could not start (${failures.join('; ')})`);
}

/** The WebGL context tfjs's webgl backend draws with, if it has started. */
export function webglContext(): WebGL2RenderingContext | null {
  try {
    return (tf.findBackend('webgl') as MathBackendWebGL | null)?.gpgpu.gl as WebGL2RenderingContext | null;
  } catch {
    return null;
  }
}

export async function wasmFeatures(): Promise<Pick<BackendInfo, 'wasmSimd' | 'wasmThreads'>> {
  return {
    wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    wasmThreads: getThreadsCount(),
  };
}
