/**
 * The worker's test and benchmark requests (src/dev/protocol.ts), loaded by the worker only in dev
 * and test builds. Each works on scratch models: the page's model is untouched.
 */
import type { Scalar, Tensor2D } from '@tensorflow/tfjs';
import { conformance } from '../../engines/conformance';
import { mlpLayout, netLayout } from '../../engines/layout';
import { chooseEngine, ENGINES, loadTfjsEngines } from '../../engines/registry';
import { TUTORIAL_MODEL, type ModelSpec } from '../../shared/modelSpec';
import { mulberry32, shuffledIndices } from '../../shared/random';
import { yieldToEventLoop } from '../../shared/yield';
import type { BackendName, RequestMessage } from '../../shared/protocol';
import { loadedTfjs, webglContext } from '../../worker/backend';
import type { WorkerContext } from '../../worker/context';
import { CommandError } from '../../worker/emit';
import { HANDLERS, type Replied } from '../../worker/handlers';
import { initialState, type Session } from '../../worker/session';
import type { DevRequests, StepTiming } from '../protocol';
import type * as TfjsParts from './tfjsParts';

/** TensorFlow.js's parts the commands use, loaded and started only when one of them needs it. */
async function tfjsParts(context: WorkerContext): Promise<typeof TfjsParts> {
  await context.backend.tfjs();
  return import('./tfjsParts');
}

/** Lets held predictions go (devHoldPredictions), while they are held. */
const held: { release: (() => void) | null } = { release: null };

/** Steps between syncs: neither loop reads anything back per step, as in training. */
const SYNC_EVERY = 20;
const WARMUP_STEPS = 10;
const MIN_MS = 2000;

/** A handler for each dev request, as the worker's own handlers are typed (worker/handlers.ts). */
type DevHandlers = {
  [K in keyof DevRequests]: (
    msg: RequestMessage<DevRequests, K>,
    context: WorkerContext,
  ) => Promise<Replied<DevRequests[K]['reply']>>;
};

/** The part of tfjs-backend-wasm's backend read here. */
interface WasmBackend {
  wasm?: { HEAPU8?: Uint8Array };
}

/** The dev requests' handlers, on the worker's context: each takes what it needs of it. */
export const DEV_HANDLERS: DevHandlers = {
  devConformance: async ({ type: _t, requestId: _r, engine, ...run }, context) => {
    const s = await idle(context);
    if (ENGINES[engine].tfjs) {
      await context.backend.tfjs();
      await loadTfjsEngines();
    }
    return { reply: await conformance(ENGINES[engine], s.data, run) };
  },
  devBenchSteps: async (msg, context) => {
    const s = await idle(context);
    const model = msg.model ?? TUTORIAL_MODEL;
    return { reply: await benchSteps(context, s, backendOf(context), msg.impl, msg.batchSize, model) };
  },
  devLoseContext: async (_msg, context) => {
    await context.ready();
    const webgl = backendOf(context) === 'webgl';
    const ext = webgl ? webglContext()?.getExtension('WEBGL_lose_context') : null;
    ext?.loseContext();
    return { reply: { lost: !!ext } };
  },
  devInjectFault: async ({ program }, context) => {
    (await context.ready()).injectFault(program);
    return { reply: { program } };
  },
  devMemory: async (_msg, context) => {
    await context.ready();
    // TensorFlow.js holds nothing where nothing has loaded it (the CPU engine).
    const tf = loadedTfjs()?.tf;
    const { numTensors, numBytes } = tf?.memory() ?? { numTensors: 0, numBytes: 0 };
    // tfjs-backend-wasm's linear memory: it grows to the largest model's needs and never shrinks.
    const wasm = tf?.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend).wasm : null;
    return { reply: { numTensors, numBytes, wasmMemoryBytes: wasm?.HEAPU8?.buffer.byteLength ?? 0 } };
  },
  devLastCheck: async (_msg, context) => ({ reply: (await context.ready()).lastCheck }),
  devClose: async (_msg, context) => {
    await context.ready();
    setTimeout(() => self.close(), 0);
    return { reply: { closing: true } };
  },
  devThrow: async (_msg, context) => {
    await context.ready();
    setTimeout(() => {
      throw new Error('injected by a test');
    }, 0);
    return { reply: { throwing: true } };
  },
  devHoldPredictions: async () => {
    if (!held.release) {
      const predict = HANDLERS.predict;
      const gate = new Promise<void>((resolve) => {
        held.release = () => {
          HANDLERS.predict = predict;
          held.release = null;
          resolve();
        };
      });
      HANDLERS.predict = async (msg, context) => {
        await gate;
        return predict(msg, context);
      };
    }
    return { reply: { holding: true } };
  },
  devReleasePredictions: async () => {
    const release = held.release;
    release?.();
    return { reply: { released: release !== null } };
  },
  devBlock: async ({ ms }, context) => {
    await context.ready();
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: no message is handled meanwhile
    }
    return { reply: { blockedMs: ms } };
  },
};

/** The session, with no run under way: the measurements need the device to themselves. */
async function idle(context: WorkerContext): Promise<Session> {
  const s = await context.ready();
  context.notRunning('Stop the run first.');
  return s;
}

function backendOf(context: WorkerContext): BackendName {
  return context.backend.info!.backend;
}

/**
 * Times a training step of `model` with Adam at `batchSize` for at least MIN_MS after a warm-up:
 * the engine the worker would pick here ('fast'), or the stock layers model (an MLP) on tfjs's
 * current backend ('stock'). Leaves no tensors behind.
 */
async function benchSteps(
  context: WorkerContext,
  session: Session,
  backend: BackendName,
  impl: 'fast' | 'stock',
  batchSize: number,
  model: ModelSpec,
): Promise<StepTiming> {
  if (impl === 'stock' && model.kind !== 'mlp')
    throw new CommandError('internal', 'the stock model is an MLP');
  const layout = netLayout(model);
  const data = session.data;
  const count = data.require().train.count;
  const orderValues = shuffledIndices(count, mulberry32(1));
  const stepsPerEpoch = Math.floor(count / batchSize);
  let cursor = 0;
  let lastYield = performance.now();
  const nextStart = () => (cursor++ % stepsPerEpoch) * batchSize;
  if (impl === 'fast') {
    await session.prepare(layout);
    const { kind } = chooseEngine(layout, backend);
    const engine = kind.create({ layout, data, optimizer: 'adam', state: initialState(layout, 0) });
    engine.setOrder(orderValues);
    try {
      const timing = await time(async (n) => {
        for (let i = 0; i < n; i++) {
          engine.step(nextStart(), batchSize, 0.001);
          // Slow steps (a CNN on SwiftShader: ~0.2 s) let the page's pings through.
          if (performance.now() - lastYield > 100) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        await engine.drain(false);
      });
      return { backend, engine: kind.name, ...timing };
    } finally {
      engine.dispose();
    }
  }
  const { tf, deviceData, buildStockModel, stockOptimizer, stockStep } = await tfjsParts(context);
  const split = deviceData(data).train;
  const order = tf.tensor1d(orderValues, 'int32');
  const stock = buildStockModel(mlpLayout(model.hidden), initialState(layout, 0).params);
  const optimizer = stockOptimizer('adam', 0.001);
  try {
    const timing = await time(async (n) => {
      let last: Scalar | null = null;
      for (let i = 0; i < n; i++) {
        last?.dispose();
        const start = nextStart();
        last = tf.tidy(() => {
          const idx = tf.slice(order, start, batchSize);
          return stockStep(
            stock,
            optimizer,
            tf.gather(split.images, idx) as Tensor2D,
            tf.gather(split.oneHot, idx) as Tensor2D,
          );
        });
        // Slow steps (tfjs's cpu backend at batch 512: ~0.16 s) let the page's pings through:
        // a worker silent for 4 s is replaced, which ended a bench run.
        if (performance.now() - lastYield > 100) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      await last?.data();
      last?.dispose();
    });
    return { backend, engine: `stock layers model on tfjs ${tf.getBackend()}`, ...timing };
  } finally {
    stock.dispose();
    optimizer.dispose();
    order.dispose();
    // The CPU engine trains from CPU arrays: the device copy was only for this measurement.
    if (backend === 'js') data.dropDeviceForms();
  }
}

/** Warms `runSteps` up, then times it for at least MIN_MS. */
async function time(runSteps: (n: number) => Promise<void>) {
  const t0 = performance.now();
  await runSteps(WARMUP_STEPS);
  const warmupMs = performance.now() - t0;
  let steps = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < MIN_MS) {
    await runSteps(SYNC_EVERY);
    steps += SYNC_EVERY;
  }
  return { msPerStep: (performance.now() - t1) / steps, steps, warmupMs };
}
