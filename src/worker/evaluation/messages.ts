/**
 * The messages between the training worker and the evaluator's worker (port.ts and
 * evaluator.worker.ts): each call of Evaluator's as a message, each answer by its id.
 */
import type { SparseData } from '../../engines/cpu/sparseImages';
import type { MnistData } from '../../shared/mnist';
import type { MeasureJob, MeasureResult, MistakesAnswer, MistakesQuery } from './evaluator';

export type ToEvaluator =
  /** `sparse`: the training thread's sparse form, in shared memory (else the evaluator builds its own). */
  | { type: 'data'; mnist: MnistData; sparse: SparseData | null }
  | { type: 'measure'; id: number; job: MeasureJob }
  | { type: 'mistakes'; id: number; query: MistakesQuery }
  | { type: 'cancelBefore'; runId: number };

export type FromEvaluator =
  | { type: 'measured'; id: number; result: MeasureResult }
  | { type: 'mistakes'; id: number; answer: MistakesAnswer }
  /** `cancelled`: skipped for a newer run, not a failure. */
  | { type: 'failed'; id: number; message: string; cancelled: boolean };
