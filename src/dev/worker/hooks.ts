/**
 * The worker's test and benchmark commands (src/dev/protocol.ts), loaded by the worker entry only
 * in dev and test builds. Each works on scratch models: the page's model is untouched.
 */
import type { Scalar, Tensor2D } from '@tensorflow/tfjs';
import { conformance } from '../../engines/conformance';
import { mlpLayout, netLayout } from '../../engines/layout';
import { chooseEngine, ENGINES, loadTfjsEngines } from '../../engines/registry';
import { TUTORIAL_MODEL, type ModelSpec } from '../../shared/modelSpec';
import { mulberry32, shuffledIndices } from '../../shared/random';
import { yieldToEventLoop } from '../../shared/yield';
import type { BackendName } from '../../shared/protocol';
import { loadedTfjs, webglContext } from '../../worker/backend';
import { CommandError, type ExtraHandler, type WorkerContext } from '../../worker/context';
import { initialState, type Session } from '../../worker/session';
import type { DevCommand, DevReply, StepTiming } from '../protocol';
import type * as TfjsParts from './tfjsParts';

/** TensorFlow.js's parts the commands use, loaded and started only when one of them needs it. */
async function tfjsParts(context: WorkerContext): Promise<typeof TfjsParts> {
  await context.backend.tfjs();
  return import('./tfjsParts');
}

/** Steps between syncs: neither loop reads anything back per step, as in training. */
const SYNC_EVERY = 20;
const WARMUP_STEPS = 10;
const MIN_MS = 2000;

/** The part of tfjs-backend-wasm's backend read here. */
interface WasmBackend {
  wasm?: { HEAPU8?: Uint8Array };
}

export function workerHooks(context: WorkerContext): ExtraHandler {
  return async (message) => {
    if (!message.type.startsWith('dev')) return false;
    const msg = message as DevCommand;
    const session = await context.ready();
    // Faults can strike mid-run (that is the point); the measurements need the device to themselves.
    if ((msg.type === 'devConformance' || msg.type === 'devBenchSteps') && context.busy())
      throw new CommandError('busy', 'Stop the run first.');
    const reply = (result: DevReply['result']) =>
      context.post({ type: 'devResult', requestId: msg.requestId, result } as unknown as Parameters<
        typeof context.post
      >[0]);
    const backend = context.backend.info!.backend;
    switch (msg.type) {
      case 'devConformance': {
        const { engine, requestId: _r, type: _t, ...run } = msg;
        if (ENGINES[engine].tfjs) {
          await context.backend.tfjs();
          await loadTfjsEngines();
        }
        reply(await conformance(ENGINES[engine], session.data, run));
        return true;
      }
      case 'devBenchSteps':
        reply(
          await benchSteps(context, session, backend, msg.impl, msg.batchSize, msg.model ?? TUTORIAL_MODEL),
        );
        return true;
      case 'devLoseContext': {
        const ext = backend === 'webgl' ? webglContext()?.getExtension('WEBGL_lose_context') : null;
        ext?.loseContext();
        reply({ lost: !!ext });
        return true;
      }
      case 'devInjectFault':
        session.injectFault(msg.program);
        reply({ program: msg.program });
        return true;
      case 'devMemory': {
        // TensorFlow.js holds nothing where nothing has loaded it (the CPU engine).
        const tf = loadedTfjs()?.tf;
        const { numTensors, numBytes } = tf?.memory() ?? { numTensors: 0, numBytes: 0 };
        // tfjs-backend-wasm's linear memory: it grows to the largest model's needs and never shrinks.
        const wasm = tf?.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackend).wasm : null;
        reply({ numTensors, numBytes, wasmMemoryBytes: wasm?.HEAPU8?.buffer.byteLength ?? 0 });
        return true;
      }
      case 'devLastCheck':
        reply(session.lastCheck);
        return true;
      case 'devClose':
        reply({ closing: true });
        setTimeout(() => self.close(), 0);
        return true;
      case 'devThrow':
        reply({ throwing: true });
        setTimeout(() => {
          throw new Error('injected by a test');
        }, 0);
        return true;
      case 'devBlock': {
        const until = performance.now() + msg.ms;
        while (performance.now() < until) {
          // busy: no message is handled meanwhile
        }
        reply({ blockedMs: msg.ms });
        return true;
      }
      default: {
        const _exhaustive: never = msg;
        throw new CommandError('internal', `Unknown dev command ${JSON.stringify(_exhaustive)}`);
      }
    }
  };
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
