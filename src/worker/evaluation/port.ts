/**
 * How the training worker reaches the evaluator (evaluator.ts): in a worker of its own, so that
 * measuring never holds training up, or inline on the training thread where no worker can start
 * (then the trainer waits for each measurement and keeps that time out of the training time). A
 * worker that fails falls back to inline, and what it had not answered is measured again there.
 */
import type { ResidentData } from '../../engines/data';
import { shareSparse } from '../../engines/cpu/sparseImages';
import type { MnistData } from '../../shared/mnist';
import {
  Cancelled,
  Evaluator,
  type MeasureJob,
  type MeasureResult,
  type MistakesAnswer,
  type MistakesQuery,
} from './evaluator';
import type { FromEvaluator, ToEvaluator } from './messages';

export interface EvaluatorPort {
  /** True when measurements run on the caller's thread: it should wait for them. */
  readonly inline: boolean;
  /** The data set, once loaded (the worker gets a copy). */
  setData(mnist: MnistData): void;
  measure(job: MeasureJob): Promise<MeasureResult>;
  mistakes(query: MistakesQuery): Promise<MistakesAnswer>;
  /** Skips the measurements of runs before `runId`; theirs reject with Cancelled. */
  cancelBefore(runId: number): void;
  dispose(): void;
}

/** On the training thread, over the training engines' own copy of the data. */
export class InlineEvaluator implements EvaluatorPort {
  readonly inline = true;
  private readonly evaluator: Evaluator;

  constructor(data: ResidentData) {
    this.evaluator = new Evaluator(data);
  }

  /** The data is the training thread's own, already set there. */
  setData(): void {}

  measure(job: MeasureJob): Promise<MeasureResult> {
    return this.evaluator.measure(job);
  }

  async mistakes(query: MistakesQuery): Promise<MistakesAnswer> {
    return this.evaluator.mistakes(query);
  }

  cancelBefore(runId: number): void {
    this.evaluator.cancelBefore(runId);
  }

  dispose(): void {}
}

type Pending =
  | { kind: 'measure'; job: MeasureJob; resolve: (r: MeasureResult) => void; reject: (e: Error) => void }
  | { kind: 'mistakes'; resolve: (a: MistakesAnswer) => void; reject: (e: Error) => void };

/** In a worker of its own; inline from the first failure on. */
class WorkerEvaluator implements EvaluatorPort {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private fallback: InlineEvaluator | null = null;
  private readonly shared: ResidentData;
  private firstRun = 0;

  constructor(shared: ResidentData) {
    this.shared = shared;
    this.worker = new Worker(new URL('./evaluator.worker.ts', import.meta.url), {
      type: 'module',
      name: 'evaluator',
    });
    this.worker.onmessage = (event: MessageEvent<FromEvaluator>) => this.answer(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail();
    };
    this.worker.onmessageerror = () => this.fail();
  }

  get inline(): boolean {
    return this.fallback !== null;
  }

  /** With the training thread's sparse form of it when that is built and shared (shareSparse). */
  setData(mnist: MnistData): void {
    if (!this.fallback) this.send({ type: 'data', mnist, sparse: shareSparse(this.shared) });
  }

  measure(job: MeasureJob): Promise<MeasureResult> {
    if (this.fallback) return this.fallback.measure(job);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { kind: 'measure', job, resolve, reject });
      // The weights are copied, not transferred: if the worker fails they are measured here.
      this.send({ type: 'measure', id, job });
    });
  }

  mistakes(query: MistakesQuery): Promise<MistakesAnswer> {
    if (this.fallback) return this.fallback.mistakes(query);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { kind: 'mistakes', resolve, reject });
      this.send({ type: 'mistakes', id, query });
    });
  }

  cancelBefore(runId: number): void {
    this.firstRun = Math.max(this.firstRun, runId);
    if (this.fallback) this.fallback.cancelBefore(runId);
    else this.send({ type: 'cancelBefore', runId });
  }

  dispose(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('The evaluator was closed.'));
    this.pending.clear();
  }

  private send(msg: ToEvaluator): void {
    this.worker.postMessage(msg);
  }

  private answer(msg: FromEvaluator): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === 'measured' && p.kind === 'measure') p.resolve(msg.result);
    else if (msg.type === 'mistakes' && p.kind === 'mistakes') p.resolve(msg.answer);
    else if (msg.type === 'failed') p.reject(msg.cancelled ? new Cancelled() : new Error(msg.message));
  }

  /** The worker failed: from now on inline; its unanswered measurements are taken again here. */
  private fail(): void {
    if (this.fallback) return;
    this.worker.terminate();
    this.fallback = new InlineEvaluator(this.shared);
    this.fallback.cancelBefore(this.firstRun);
    for (const p of this.pending.values()) {
      if (p.kind === 'measure') this.fallback.measure(p.job).then(p.resolve, p.reject);
      else p.reject(new Error('The evaluator stopped; ask again.'));
    }
    this.pending.clear();
  }
}

/** The evaluator in its own worker where one can start, else inline over `shared`. */
export function createEvaluator(shared: ResidentData): EvaluatorPort {
  if (typeof Worker !== 'function') return new InlineEvaluator(shared);
  try {
    return new WorkerEvaluator(shared);
  } catch {
    return new InlineEvaluator(shared);
  }
}
