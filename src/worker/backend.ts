/**
 * Picks and starts the backend in the worker, and moves to the next one when the current one
 * fails: webgl -> wasm -> cpu. WebGL in a worker needs WebGL 2 through OffscreenCanvas
 * (tfjs-backend-webgl's canvas_util creates it); the WASM binaries are served from our own origin.
 * 'js' is the project's own CPU engine (engines/cpu/): it cannot fail to start, and on a CPU it
 * beats every tfjs backend, so auto takes it whenever WebGL is not a hardware GPU. TensorFlow.js
 * itself loads only once a backend of its own starts, or something asks for it (tfjs()).
 */
import type { BackendChoice, BackendInfo, BackendName } from '../shared/protocol';
import type { BackendGuard } from './run/recovery';
import type * as TfjsRuntimeModule from './tfjsRuntime';

type TfjsRuntime = typeof TfjsRuntimeModule;

/** CPU-emulated WebGL: correct but slow, so auto avoids it. */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|software|basic render/i;

/**
 * TensorFlow.js once loaded (tfjsRuntime.ts). Not at the worker's start: on the CPU engine
 * nothing trains on it, and loading it held the worker's thread while the data's decoding waited
 * (docs/performance.md).
 */
let runtime: TfjsRuntime | null = null;
let loading: Promise<TfjsRuntime> | null = null;
const loadRuntime = (): Promise<TfjsRuntime> =>
  (loading ??= import('./tfjsRuntime').then((m) => (runtime = m)));

/** TensorFlow.js if something has loaded it, else null (the CPU engine, nothing asked). */
export const loadedTfjs = (): TfjsRuntime | null => runtime;

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
  /** The rejecters of the promises unlessLost is guarding now; each leaves once its promise settles. */
  private readonly onLost = new Set<() => void>();
  private tfjsOnJs: Promise<TfjsRuntime> | null = null;

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

  /**
   * Settles like `p`, or rejects once the device is lost: a lost WebGL context never signals its
   * fences. The trainer guards every drain with it (~10 a second), so its rejecter leaves as soon
   * as `p` settles: a Promise.race against a never-settling promise would keep each call's
   * closure, and with it the weights and Adam's moments that drain read, for the worker's lifetime
   * (docs/performance.md).
   */
  unlessLost<T>(p: Promise<T>): Promise<T> {
    if (this.isLost) return Promise.reject(new Error('WebGL context lost'));
    return new Promise<T>((resolve, reject) => {
      const lost = () => reject(new Error('WebGL context lost'));
      this.onLost.add(lost);
      p.then(resolve, reject).finally(() => this.onLost.delete(lost));
    });
  }

  /** How many promises unlessLost is guarding now. */
  get guarding(): number {
    return this.onLost.size;
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
    const rejecters = [...this.onLost];
    this.onLost.clear();
    for (const reject of rejecters) reject();
    this.onContextLost?.();
  }

  /**
   * TensorFlow.js, loaded and running: on the webgl, wasm and cpu backends it already is; on the
   * project's CPU engine ('js') it starts on WASM (its cpu backend where WASM cannot run) the
   * first time something asks (the TF.js format, a model the CPU engine cannot train).
   */
  tfjs(): Promise<TfjsRuntime> {
    if (this.info?.backend !== 'js') return loadRuntime();
    this.tfjsOnJs ??= loadRuntime().then(async (tf) => {
      await tf.startFirst(['wasm', 'cpu']);
      return tf;
    });
    // A failed start is tried again by the next caller.
    this.tfjsOnJs.catch(() => (this.tfjsOnJs = null));
    return this.tfjsOnJs;
  }

  private async start(chain: BackendName[], reason: string): Promise<BackendInfo> {
    const failures: string[] = [];
    for (const name of chain) {
      try {
        if (name === 'webgl' && this.probe.webglVersion !== 2) throw new Error('no WebGL 2 in this worker');
        // The js path is the project's own engine: it starts without TensorFlow.js.
        let tf: TfjsRuntime | null = null;
        if (name !== 'js') {
          tf = await loadRuntime();
          await tf.startBackend(name);
        }
        this.isLost = false;
        if (name === 'webgl') this.watchContext();
        const why = failures.length ? `${failures.join('; ')}. ` : '';
        this.info = {
          backend: name,
          reason: failures.length && name !== chain[0] ? `${why}Using ${name}.` : reason,
          webglVersion: this.probe.webglVersion,
          renderer: this.probe.renderer,
          softwareRenderer: this.probe.software,
          ...(tf && name === 'wasm' ? await tf.wasmFeatures() : {}),
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

/** The WebGL context tfjs's webgl backend draws with, if it has started. */
export function webglContext(): WebGL2RenderingContext | null {
  return runtime?.webglContext() ?? null;
}
