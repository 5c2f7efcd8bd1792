/** The evaluator's own worker: Evaluator's calls as messages (messages.ts), nothing more. */
import { Cancelled, Evaluator } from './evaluator';
import type { FromEvaluator, ToEvaluator } from './messages';

declare const self: DedicatedWorkerGlobalScope;

const evaluator = new Evaluator();

function post(msg: FromEvaluator, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function failed(id: number, e: unknown): FromEvaluator {
  return {
    type: 'failed',
    id,
    message: e instanceof Error ? e.message : String(e),
    cancelled: e instanceof Cancelled,
  };
}

self.onmessage = (event: MessageEvent<ToEvaluator>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'data':
      evaluator.setData(msg.mnist, msg.sparse);
      evaluator.prepare();
      return;
    case 'cancelBefore':
      evaluator.cancelBefore(msg.runId);
      return;
    case 'measure':
      evaluator.measure(msg.job).then(
        (result) => post({ type: 'measured', id: msg.id, result }, [result.confusion.buffer]),
        (e: unknown) => post(failed(msg.id, e)),
      );
      return;
    case 'mistakes':
      try {
        const answer = evaluator.mistakes(msg.query);
        post(
          { type: 'mistakes', id: msg.id, answer },
          answer.digits.map((d) => d.pixels.buffer),
        );
      } catch (e) {
        post(failed(msg.id, e));
      }
      return;
    default: {
      const _exhaustive: never = msg;
      throw new Error(`Unknown message ${JSON.stringify(_exhaustive)}`);
    }
  }
};
