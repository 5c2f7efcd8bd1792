/**
 * The worker proper (loaded by the entry, training.worker.ts): it hands each message of the page
 * to its handler (handlers.ts), posts a request's reply with the request's id, and turns every
 * failure into an `error` message instead of a dead worker. Test and benchmark requests (src/dev/)
 * have handlers of their own, loaded only in dev and test builds.
 */
import type { ToWorker } from '../shared/protocol';
import { WorkerContext } from './context';
import { CommandError, errorMessage, type Emit } from './emit';
import { HANDLERS, type Replied } from './handlers';

declare const self: DedicatedWorkerGlobalScope;

/** A message as it arrives: the page's protocol, or a dev hook's request. */
interface Incoming {
  type: string;
  requestId?: number;
  runId?: number;
}

/** Any handler, its message's type erased: the tables it comes from type each one. */
type AnyHandler = (msg: Incoming, context: WorkerContext) => Promise<Replied<unknown> | void> | void;

const post: Emit = (msg, transfer = []) => self.postMessage(msg, transfer);
const context = new WorkerContext(post);
const devHandlers: Promise<Record<string, AnyHandler> | null> = __DEV_HOOKS__
  ? import('../dev/worker/hooks').then(
      (m) => m.DEV_HANDLERS as unknown as Record<string, AnyHandler>,
      // Without its hooks a test build still answers the protocol.
      () => null,
    )
  : Promise.resolve(null);

/** The handler of `type`; only the dev hooks' requests wait for the hooks to load. */
async function handlerOf(type: string): Promise<AnyHandler> {
  if (Object.hasOwn(HANDLERS, type)) return HANDLERS[type as ToWorker['type']] as AnyHandler;
  const dev = type.startsWith('dev') ? await devHandlers : null;
  const handler = dev && Object.hasOwn(dev, type) ? dev[type] : null;
  if (!handler) throw new CommandError('internal', `Unknown command ${JSON.stringify(type)}`);
  return handler;
}

/** Handles one message of the page (training.worker.ts hands them over). */
export function onMessage(event: MessageEvent<Incoming>): void {
  const msg = event.data;
  const { runId, requestId } = msg;
  handlerOf(msg.type)
    .then((handler) => handler(msg, context))
    .then((out) => {
      if (requestId !== undefined && out) post({ type: 'reply', requestId, reply: out.reply }, out.transfer);
    })
    .catch((e: unknown) =>
      post(
        errorMessage(e, {
          ...(runId !== undefined ? { runId } : {}),
          ...(requestId !== undefined ? { requestId } : {}),
        }),
      ),
    );
}
