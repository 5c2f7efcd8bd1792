/**
 * The test and benchmark requests (dev and test builds only), as a request table like the page's
 * own (shared/protocol.ts): each is answered by one `reply` with its requestId, or an `error`.
 */
import type { ModelSpec } from '../shared/modelSpec';
import type { EngineName, NoArgs } from '../shared/protocol';
import type { ConformanceResult, ConformanceRun } from '../engines/conformance';
import type { CheckFigures } from '../engines/engine';

export interface StepTiming {
  /** The backend and the engine that ran. */
  backend: string;
  engine: string;
  msPerStep: number;
  steps: number;
  /** The first steps (shader compilation, JIT), timed apart. */
  warmupMs: number;
}

export interface DevRequests {
  /** Trains `engine` and the plain reference side by side (engines/conformance.ts). */
  devConformance: { args: { engine: EngineName } & ConformanceRun; reply: ConformanceResult };
  /**
   * Times the engine the worker would pick ('fast') or a stock layers model ('stock', MLPs only)
   * at `batchSize`, for `model` (the tutorial's MLP when omitted).
   */
  devBenchSteps: {
    args: { impl: 'fast' | 'stock'; batchSize: number; model?: ModelSpec };
    reply: StepTiming;
  };
  /** Loses the WebGL context on purpose (WEBGL_lose_context), as a GPU reset would. */
  devLoseContext: { args: NoArgs; reply: { lost: boolean } };
  /** Answers, then the worker closes itself (self.close()), as a worker that dies silently. */
  devClose: { args: NoArgs; reply: { closing: true } };
  /** Answers, then throws an error nothing catches, in a task of its own. */
  devThrow: { args: NoArgs; reply: { throwing: true } };
  /** Keeps the worker busy, answering nothing, for `ms`, then answers. */
  devBlock: { args: { ms: number }; reply: { blockedMs: number } };
  /**
   * From now on predictions wait, unanswered, until devReleasePredictions (the worker answers
   * everything else, pings too): a worker too busy to predict, for as long as a test needs.
   */
  devHoldPredictions: { args: NoArgs; reply: { holding: true } };
  devReleasePredictions: { args: NoArgs; reply: { released: boolean } };
  /**
   * Builds a fault into the engines from now on (null: none), as a broken device would have it
   * (engine.ts, InjectedFault), and forgets the start-up checks already passed.
   */
  devInjectFault: { args: { program: string | null }; reply: { program: string | null } };
  /** The differences the last WebGL start-up check measured against the CPU reference. */
  devLastCheck: { args: NoArgs; reply: CheckFigures | null };
  /** What the worker holds: TensorFlow.js's tensors and their bytes (the soak's figures). */
  devMemory: { args: NoArgs; reply: { numTensors: number; numBytes: number; wasmMemoryBytes: number } };
}
