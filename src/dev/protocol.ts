/**
 * The test and benchmark commands (dev and test builds only): each gets one `devResult` reply
 * with its requestId, or an `error`.
 */
import type { ModelSpec } from '../shared/modelSpec';
import type { EngineName } from '../shared/protocol';
import type { ConformanceResult, ConformanceRun } from '../engines/conformance';
import type { CheckFigures } from '../engines/engine';

export type DevCommand =
  /** Trains `engine` and the plain reference side by side (engines/conformance.ts). */
  | ({ type: 'devConformance'; requestId: number; engine: EngineName } & ConformanceRun)
  /**
   * Times the engine the worker would pick ('fast') or a stock layers model ('stock', MLPs only)
   * at `batchSize`, for `model` (the tutorial's MLP when omitted).
   */
  | { type: 'devBenchSteps'; requestId: number; impl: 'fast' | 'stock'; batchSize: number; model?: ModelSpec }
  /** Loses the WebGL context on purpose (WEBGL_lose_context), as a GPU reset would. */
  | { type: 'devLoseContext'; requestId: number }
  /** Answers, then the worker closes itself (self.close()), as a worker that dies silently. */
  | { type: 'devClose'; requestId: number }
  /** Answers, then throws an error nothing catches, in a task of its own. */
  | { type: 'devThrow'; requestId: number }
  /** Keeps the worker busy, answering nothing, for `ms`, then answers. */
  | { type: 'devBlock'; requestId: number; ms: number }
  /**
   * Makes the WebGL program `program` (e.g. 'dense1') compute wrong outputs from now on (null:
   * none), as a miscompiling driver would, and forgets the start-up checks already passed.
   */
  | { type: 'devInjectFault'; requestId: number; program: string | null }
  /** The differences the last WebGL start-up check measured against the CPU reference. */
  | { type: 'devLastCheck'; requestId: number }
  /** What the worker holds: TensorFlow.js's tensors and their bytes (the soak's figures). */
  | { type: 'devMemory'; requestId: number };

export interface StepTiming {
  /** The backend and the engine that ran. */
  backend: string;
  engine: string;
  msPerStep: number;
  steps: number;
  /** The first steps (shader compilation, JIT), timed apart. */
  warmupMs: number;
}

export interface DevResults {
  devConformance: ConformanceResult;
  devBenchSteps: StepTiming;
  devLoseContext: { lost: boolean };
  devClose: { closing: true };
  devThrow: { throwing: true };
  devBlock: { blockedMs: number };
  devInjectFault: { program: string | null };
  devLastCheck: CheckFigures | null;
  devMemory: { numTensors: number; numBytes: number; wasmMemoryBytes: number };
}

export interface DevReply {
  type: 'devResult';
  requestId: number;
  result: DevResults[DevCommand['type']];
}
