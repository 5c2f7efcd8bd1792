/**
 * Picks and starts the backend in the worker, and moves to the next one when the current one
 * fails: webgl -> wasm -> cpu. WebGL in a worker needs WebGL 2 through OffscreenCanvas
 * (tfjs-backend-webgl's canvas_util creates it); the WASM binaries are served from our own origin.
 * 'js' is the project's own CPU engine (engines/cpu/): it cannot fail to start, and on a CPU it
 * beats every tfjs backend, so auto takes it whenever WebGL is not a hardware GPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice, BackendInfo, BackendName } from '../shared/protocol';
import type { BackendGuard } from './run/recovery';

/** CPU-emulated WebGL: correct but slow, so auto avoids it. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|software|basic render/i;

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

interface RendererProbe {
  webglVersion: 0 | 1 | 2;
  renderer: string;
  software: boolean;
}

/** What WebGL this worker has, from a throwaway context (released at once). */
export function probeRenderer(): RendererProbe {
  if (typeof OffscreenCanvas === 'undefined') return { webglVersion: 0, renderer: '', software: false };
  const canvas = new OffscreenCanvas(1, 1);
  let version: 1 | 2 = 2;
  let gl: WebGLRenderingContext | WebGL2RenderingContext | null;
  try {
    gl = canvas.getContext('webgl2');
    if (!gl) {
      version = 1;
      gl = canvas.getContext('webgl');
    }
  } catch {
    gl = null;
  }
  if (!gl) return { webglVersion: 0, renderer: '', software: false };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { webglVersion: version, renderer, software: SOFTWARE_RENDERER.test(renderer) };
}

const CHAINS: Record<BackendName, BackendName[]> = {
  webgl: ['webgl', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
  cpu: ['cpu'],
  js: ['js'],
};

/**
 * Owns the backend choice for the worker's lifetime: starts one, watches a WebGL context for loss,
 * and falls back along the chain. Implements the trainer's BackendGuard.
 */
export class BackendManager implements BackendGuard {
  info: BackendInfo | null = null;
  /** Called when the WebGL context is lost (the worker recovers if no run is doing it). */
  onContextLost: (() => void) | null = null;
  private probe: RendererProbe = { webglVersion: 0, renderer: '', software: false };
  private isLost = false;
  private onLost: (() => void)[] = [];

  /** Starts the best backend for `choice`; resolves with what actually runs. */
  async init(choice: BackendChoice): Promise<BackendInfo> {
    this.probe = probeRenderer();
    const { webglVersion, renderer, software } = this.probe;
    let chain: BackendName[];
    let reason: string;
    if (choice !== 'auto') {
      chain = CHAINS[choice];
      reason = 'as you chose.';
    } else if (webglVersion === 2 && !software) {
      chain = CHAINS.webgl;
      reason = `WebGL 2 runs on a hardware GPU here, the fastest backend.`;
    } else if (webglVersion === 2) {
      chain = CHAINS.js;
      reason = `WebGL here is a software renderer (${SOFTWARE_RENDERER.exec(renderer)?.[0] ?? renderer}), so the project's CPU engine trains, the fastest on a CPU (the engine line says why).`;
    } else {
      chain = CHAINS.js;
      reason = `WebGL 2 is not available here, so the project's CPU engine trains, the fastest on a CPU (the engine line says why).`;
    }
    return this.start(chain, reason);
  }

  lost(): boolean {
    return this.isLost;
  }

  isDeviceFailure(error: unknown): boolean {
    if (this.info?.backend !== 'webgl') return false;
    const gl = webglContext();
    const message = error instanceof Error ? error.message : String(error);
    if (this.isLost || gl?.isContextLost() || /webgl|context|texture|framebuffer|shader/i.test(message))
      this.markLost();
    return this.isLost;
  }

  /** Settles like `p`, or rejects once the device is lost: a lost WebGL context never signals its fences. */
  unlessLost<T>(p: Promise<T>): Promise<T> {
    if (this.isLost) return Promise.reject(new Error('WebGL context lost'));
    return Promise.race([
      p,
      new Promise<T>((_, reject) => this.onLost.push(() => reject(new Error('WebGL context lost')))),
    ]);
  }

  async fallback(): Promise<BackendInfo | null> {
    const current = this.info?.backend ?? 'cpu';
    const rest = CHAINS[current].slice(1);
    if (rest.length === 0) return null;
    const why = this.isLost ? 'the WebGL context was lost' : `${current} failed`;
    return this.start(
      rest,
      `Switched from ${current} because ${why}; training continues from the last good weights.`,
    );
  }

  private markLost(): void {
    if (this.isLost) return;
    this.isLost = true;
    for (const reject of this.onLost.splice(0)) reject();
    this.onContextLost?.();
  }

  private async start(chain: BackendName[], reason: string): Promise<BackendInfo> {
    const failures: string[] = [];
    for (const name of chain) {
      try {
        if (name === 'webgl') {
          if (this.probe.webglVersion !== 2) throw new Error('no WebGL 2 in this worker');
          // tfjs refuses software renderers unless told otherwise; we chose knowingly.
          tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
        }
        // The js path trains without tfjs; tfjs still runs the benchmark's stock model beside it,
        // on WASM (the yardstick worth beating), or on its cpu backend if WASM cannot start.
        const tfName = name === 'js' ? await firstBackend(['wasm', 'cpu']) : name;
        if (!(await tf.setBackend(tfName))) throw new Error('it did not initialize');
        await tf.ready();
        // A real op proves the backend computes, not just that it registered.
        const two = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
        const value = (await two.data())[0];
        two.dispose();
        if (value !== 2) throw new Error('a test computation gave a wrong result');
        this.isLost = false;
        if (name === 'webgl') this.watchContext();
        const why = failures.length ? `${failures.join('; ')}. ` : '';
        this.info = {
          backend: name,
          reason: failures.length && name !== chain[0] ? `${why}Using ${name}.` : reason,
          webglVersion: this.probe.webglVersion,
          renderer: this.probe.renderer,
          softwareRenderer: this.probe.software,
          ...(name === 'wasm' ? await wasmFeatures() : {}),
        };
        return this.info;
      } catch (e) {
        failures.push(`${name} could not start (${(e as Error).message})`);
      }
    }
    throw new Error(failures.join('; '));
  }

  private watchContext(): void {
    // tfjs made this context on an OffscreenCanvas (canvas_util.ts); the worker lib omits the field.
    const canvas = (webglContext() as unknown as { canvas?: OffscreenCanvas } | null)?.canvas;
    canvas?.addEventListener('webglcontextlost', () => this.markLost());
  }
}

/** The first of `names` that tfjs can start. */
async function firstBackend(names: ('wasm' | 'cpu')[]): Promise<string> {
  for (const name of names) {
    try {
      if (await tf.setBackend(name)) return name;
    } catch {
      // try the next
    }
  }
  return 'cpu';
}

/** The WebGL context tfjs's webgl backend draws with, if it has started. */
export function webglContext(): WebGL2RenderingContext | null {
  try {
    return (tf.findBackend('webgl') as MathBackendWebGL | null)?.gpgpu.gl as WebGL2RenderingContext | null;
  } catch {
    return null;
  }
}

async function wasmFeatures(): Promise<Pick<BackendInfo, 'wasmSimd' | 'wasmThreads'>> {
  return {
    wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    wasmThreads: getThreadsCount(),
  };
}
