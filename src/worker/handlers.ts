/**
 * One handler for each message the page sends (shared/protocol.ts), in a table typed over the
 * messages: the compiler checks that every message has its handler, and that every request's
 * handler returns the reply the request table names. A command's handler posts events (or
 * nothing); a request's returns its reply, which main.ts posts with the request's id.
 */
import type { ModelSpec } from '../shared/modelSpec';
import { CURRENT_MODEL, type ImportedModel, type Requests, type ToWorker } from '../shared/protocol';
import type { WorkerContext } from './context';
import { loadData } from './dataLoad';
import { CommandError } from './emit';
import {
  checkedLayout,
  checkModel,
  fromLayers,
  fromSafetensors,
  toLayers,
  toSafetensors,
  type ModelFromFile,
} from './modelFiles';
import type { Session } from './session';
import { RunControl, train } from './run/trainer';

/** A request's reply, and the buffers in it to transfer rather than copy. */
export interface Replied<R> {
  reply: R;
  transfer?: Transferable[];
}

type Message<K extends ToWorker['type']> = Extract<ToWorker, { type: K }>;

/**
 * The handler of message `K`, on the worker's context: a request's resolves with its reply, a
 * command's with nothing.
 */
export type Handler<K extends ToWorker['type']> = (
  msg: Message<K>,
  context: WorkerContext,
) => K extends keyof Requests ? Promise<Replied<Requests[K]['reply']>> : Promise<void> | void;

export type Handlers = { [K in ToWorker['type']]: Handler<K> };

/** Makes `params` of `model` (checked weights, trained ones) the current model. */
function adopt(s: Session, model: ModelSpec, params: Float32Array): Promise<void> {
  return s.adopt(model, { params, slots: new Float32Array(0), steps: 0 }, true);
}

/** Makes an imported model the current one and measures it on the test set. */
async function imported(s: Session, { spec, params }: ModelFromFile): Promise<Replied<ImportedModel>> {
  await adopt(s, spec, params);
  const { accuracy, loss, confusion } = await s.evaluate('test');
  const copy = params.slice(); // the session keeps its own
  return {
    reply: { model: spec, params: copy, accuracy, loss, confusion: Array.from(confusion) },
    transfer: [copy.buffer],
  };
}

export const HANDLERS: Handlers = {
  init: async (msg, context) => void (await context.init(msg.backend)),
  loadData: (_msg, context) => {
    context.dataLoad ??= loadData(context).catch((e) => {
      context.dataLoad = null; // a later loadData may retry
      throw e;
    });
    return context.dataLoad;
  },
  train: async (msg, context) => {
    const started = await context.changeModel(async () => {
      const s = await context.ready();
      await context.afterData; // what a run needs besides the images (dataLoad.ts)
      context.notRunning('A run is already in progress; stop it first.');
      context.lastRunId = msg.runId;
      const initial = msg.from === 'current' ? s.continueFrom(msg.config) : undefined;
      const control = new RunControl();
      const evaluator = context.evaluator ?? undefined;
      const options = { runId: msg.runId, config: msg.config, session: s, emit: context.post, evaluator };
      const done = train({ ...options, initial, control, guard: context.backend });
      context.run = { runId: msg.runId, control, done };
      return { s, done };
    });
    // The run is over for the page as soon as `done` settles: a Train or Reset right after Stop
    // must not meet a stale `busy`, so the CPU copy of the weights is taken after.
    const outcome = await started.done.finally(() => (context.run = null));
    if (outcome !== 'invalid') await context.keepRun(started.s, msg.runId, msg.config);
  },
  pause: (_msg, context) => context.run?.control.pause(),
  resume: (_msg, context) => context.run?.control.resume(),
  stop: (_msg, context) => {
    // No run (it just ended): still answer, or the page would take the silence for a hung worker.
    if (context.run) context.run.control.stop();
    else context.post({ type: 'state', runId: context.lastRunId, state: 'stopped' });
  },
  reset: (msg, context) =>
    context.changeModel(async () => {
      const s = await context.ready();
      context.notRunning('Stop the run before resetting the weights.');
      checkModel(msg.model, msg.seed);
      await s.reset(msg.model, msg.seed);
      context.post({ type: 'state', runId: context.lastRunId, state: 'idle' });
    }),
  restore: (msg, context) =>
    context.changeModel(async () => {
      const s = await context.ready();
      context.notRunning('Stop the run before restoring weights.');
      checkedLayout(msg.model, msg.params);
      await adopt(s, msg.model, msg.params);
    }),
  ping: (_msg, context) => context.post({ type: 'pong' }),
  predict: async (msg, context) => {
    const s = await context.ready();
    const probabilities = await s.predict(msg.pixels);
    return { reply: { probabilities, trained: s.trained }, transfer: [probabilities.buffer] };
  },
  evaluate: async (_msg, context) => {
    const { accuracy, loss, confusion } = await (await context.withData()).evaluate('test');
    return { reply: { accuracy, loss, confusion: Array.from(confusion) } };
  },
  samples: async (msg, context) => {
    const digits = await (await context.withData()).samples(msg.split, msg.count, msg.indices);
    return { reply: digits, transfer: digits.map((d) => d.pixels.buffer) };
  },
  exportSafetensors: async (msg) => {
    const bytes = toSafetensors(msg.model, msg.params, msg.metadata);
    return { reply: bytes, transfer: [bytes.buffer] };
  },
  exportLayers: async (msg, context) => {
    await context.ready();
    const files = await toLayers(context.backend, msg.model, msg.params, msg.weightsPath);
    return { reply: files, transfer: [files.weights] };
  },
  importSafetensors: (msg, context) =>
    context.changeModel(async () => {
      const s = await context.withData();
      context.notRunning('Stop the run before importing a model.');
      return imported(s, fromSafetensors(msg.bytes));
    }),
  importLayers: (msg, context) =>
    context.changeModel(async () => {
      const s = await context.withData();
      context.notRunning('Stop the run before importing a model.');
      return imported(s, await fromLayers(context.backend, msg.files));
    }),
  mistakes: async (msg, context) => {
    await context.withData();
    const { evaluator } = context;
    if (!evaluator) throw new CommandError('internal', 'No evaluator yet.');
    const { type: _t, requestId: _r, ...query } = msg;
    const answer =
      query.runId === CURRENT_MODEL
        ? await context.currentMistakes(evaluator, query)
        : await evaluator.mistakes(query);
    return { reply: answer, transfer: answer.digits.map((d) => d.pixels.buffer) };
  },
};
