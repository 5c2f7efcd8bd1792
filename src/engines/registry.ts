/**
 * Which engine trains a model on this device. Each engine says what it supports; the worker's
 * backend gives the order to try them in (the fastest first, as measured by npm run bench), and
 * the first that supports the model wins. The reason is shown on the page's status line.
 */
import type { BackendName, EngineName } from '../shared/protocol';
import { cnnKernelsRun } from './cpu/cnn';
import { CpuEngine } from './cpu/engine';
import type { EngineKind } from './engine';
import type { NetLayout } from './layout';
import type * as TfjsEnginesModule from './tfjsEngines';

type TfjsEngines = typeof TfjsEnginesModule;
let tfjsEngines: TfjsEngines | null = null;

/** Loads the engines built on TensorFlow.js (the caller starts TensorFlow.js: Session.prepare). */
export async function loadTfjsEngines(): Promise<void> {
  tfjsEngines ??= await import('./tfjsEngines');
}

function tfjsLoaded(): TfjsEngines {
  if (!tfjsEngines) throw new Error('the TensorFlow.js engines are not loaded: Session.prepare first');
  return tfjsEngines;
}

const TFJS_BACKENDS: Record<BackendName, string> = {
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'its JavaScript cpu backend',
  js: 'WebAssembly',
};

export const ENGINES: Record<EngineName, EngineKind> = {
  cpu: {
    name: 'cpu',
    label: 'CPU loops',
    tfjs: false,
    unsupported: (layout) =>
      layout.convs.length > 0 && !cnnKernelsRun()
        ? 'the CPU engine’s convolutions need WebAssembly SIMD, which cannot run here'
        : null,
    // The figures quoted are npm run bench's (docs/performance.md says which run's).
    strength: (layout) =>
      layout.convs.length
        ? 'the project’s CPU loops, with the convolutions and the dense head in WebAssembly SIMD, train a CNN fastest on a CPU: 6.5 ms a Small CNN step at batch 64 against 59 ms for TensorFlow.js on WebAssembly (npm run bench)'
        : 'the project’s WebAssembly SIMD kernels skip MNIST’s zero pixels and train an MLP fastest on a CPU: 0.14 ms a step at batch 10 against 4.0 ms for TensorFlow.js on WebAssembly (npm run bench)',
    create: (init) => new CpuEngine(init),
  },
  webgl: {
    name: 'webgl',
    label: 'WebGL programs',
    tfjs: true,
    unsupported: (layout, backend) =>
      backend !== 'webgl'
        ? 'the WebGL programs need the WebGL backend'
        : layout.convs.length > 0
          ? 'the hand-written WebGL programs train MLPs only'
          : !tfjsLoaded().supportsWebglStep(layout.dense)
            ? 'the hand-written WebGL programs train MLPs with even layer widths on WebGL 2 only'
            : null,
    strength: () =>
      'a step is 18 hand-written WebGL draws instead of ~85 TensorFlow.js kernels, and they passed their start-up check against the CPU reference',
    create: (init) => new (tfjsLoaded().WebglEngine)(init),
    selfCheck: (layout, optimizer, fault) =>
      tfjsLoaded().webglSelfCheck(layout, optimizer, (init) => new (tfjsLoaded().WebglEngine)(init), fault),
  },
  tfjs: {
    name: 'tfjs',
    label: 'TensorFlow.js',
    tfjs: true,
    unsupported: () => null,
    strength: (_, backend) => `TensorFlow.js ops on ${TFJS_BACKENDS[backend]} train any model`,
    create: (init) => tfjsLoaded().createTfjsEngine(init),
  },
};

/** The engines to try on each backend, fastest first. */
const PREFERENCE: Record<BackendName, EngineName[]> = {
  js: ['cpu', 'tfjs'],
  webgl: ['webgl', 'tfjs'],
  wasm: ['tfjs'],
  cpu: ['tfjs'],
};

/**
 * The fastest engine that supports `layout` on `backend`, skipping those in `failed` (name ->
 * what went wrong), and why, in a sentence for the status line.
 */
export function chooseEngine(
  layout: NetLayout,
  backend: BackendName,
  failed: Partial<Record<EngineName, string>> = {},
): { kind: EngineKind; reason: string } {
  const passed: string[] = [];
  for (const name of PREFERENCE[backend]) {
    const kind = ENGINES[name];
    const why = failed[name] ?? kind.unsupported(layout, backend);
    if (why) {
      passed.push(why);
      continue;
    }
    const reason = `${kind.strength(layout, backend)}${passed.length ? `; ${passed.join('; ')}` : ''}.`;
    return { kind, reason: reason[0].toUpperCase() + reason.slice(1) };
  }
  throw new Error(`no engine can train this model here: ${passed.join('; ')}`);
}
