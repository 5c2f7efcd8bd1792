/**
 * Measures a model from a copy of its weights: loss and accuracy on slices or all of both sets,
 * the confusion counts, and, of the last full test-set measurement, every image's probabilities,
 * kept for the mistakes the page asks about. It reads the weights with the CPU engine whatever
 * engine trains them: the flat layout (engines/layout.ts) is the same for all.
 *
 * It runs in a worker of its own (evaluator.worker.ts, started by the training worker through
 * port.ts), so training never waits for it: on the Tutorial's batch of 10, a forward pass over
 * 2,000 images costs as much as hundreds of training steps, and 20 measurements an epoch on the
 * training thread would add a sixth to its time (docs/performance.md). Where no worker
 * can be started it runs inline, and the trainer waits for it (evaluation time is kept apart).
 * Pure: the Node tests drive it directly.
 */
import { DataNotReady, ResidentData, type Split } from '../../engines/data';
import { softmax, summarize, type Evaluation } from '../../engines/engine';
import { CpuEngine } from '../../engines/cpu/engine';
import { adoptSparse, sparseData, type SparseData } from '../../engines/cpu/sparseImages';
import { netLayout } from '../../engines/layout';
import { argMax, IMAGE_SIZE, NUM_CLASSES, type MnistData } from '../../shared/mnist';
import type { ModelSpec } from '../../shared/modelSpec';
import {
  CURRENT_MODEL,
  type Measurement,
  type MistakesAnswer,
  type MistakesQuery,
} from '../../shared/protocol';

export type { MistakesAnswer, MistakesQuery };

/** A model's weights at one moment of a run, and where to measure them. */
export interface MeasureJob {
  runId: number;
  model: ModelSpec;
  /** layout.ts's order; the evaluator takes ownership. */
  params: Float32Array;
  batch: number;
  epoch: number;
  trainingSeconds: number;
  /** Rows of each set to measure; null: all of them (an epoch's end). */
  trainRows: Int32Array | null;
  testRows: Int32Array | null;
}

export interface MeasureResult {
  measurement: Measurement;
  /** The test set's confusion counts: [true * 10 + predicted]. */
  confusion: Int32Array;
}

/** A measurement skipped because a newer run started (cancelBefore). */
export class Cancelled extends Error {
  constructor() {
    super('measurement cancelled: a newer run started');
  }
}

/** The most digits a mistakes query returns. */
export const MAX_MISTAKES = 200;
/** Images evaluated between cancellation checks. */
const CHUNK = 4096;

export class Evaluator {
  private readonly data: ResidentData;
  private engine: CpuEngine | null = null;
  private engineModel = '';
  /** Jobs run one after the other: they share the engine's weights. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Jobs of runs before this one are skipped. */
  private firstRun = 0;
  /** The last full test-set measurement: probabilities [count, 10] and guesses. */
  private last: { runId: number; epoch: number; probabilities: Float32Array; predicted: Uint8Array } | null =
    null;

  /** `data`: shared with the training engines when inline; the evaluator's own in its worker. */
  constructor(data = new ResidentData()) {
    this.data = data;
  }

  /** `sparse`: its sparse form, built on another thread (in shared memory), taken as it is. */
  setData(mnist: MnistData, sparse: SparseData | null = null): void {
    this.data.set(mnist);
    if (sparse) adoptSparse(this.data, sparse);
    this.last = null;
  }

  /**
   * Builds the MLP's sparse form of the data now (CpuEngine, sparseImages.ts), while nothing waits
   * for it: else a run's first measurement builds it, while the run waits once its measurements
   * pile up (docs/performance.md). Nothing to do when setData was given it.
   */
  prepare(): void {
    if (this.data.loaded) sparseData(this.data);
  }

  /** Skips the queued and running measurements of runs before `runId`. */
  cancelBefore(runId: number): void {
    this.firstRun = Math.max(this.firstRun, runId);
  }

  /** Queues a measurement; rejects with Cancelled when its run is superseded first. */
  measure(job: MeasureJob): Promise<MeasureResult> {
    const result = this.queue.then(() => this.run(job));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The test images of the last full measurement that `query` asks for, most confident first. */
  mistakes(query: MistakesQuery): MistakesAnswer {
    const last = this.last;
    if (!last || last.runId !== query.runId)
      throw new Error(
        'The analysis of that run is no longer held here (a newer run, or a restarted worker): train again to see its digits.',
      );
    const test = this.data.require().test;
    const cell = query.truth !== undefined && query.predicted !== undefined;
    const matches: number[] = [];
    for (let i = 0; i < test.count; i++) {
      const label = test.labels[i];
      const guess = last.predicted[i];
      if (cell ? label === query.truth && guess === query.predicted : label !== guess) matches.push(i);
    }
    const confidence = (i: number) => last.probabilities[i * NUM_CLASSES + last.predicted[i]];
    matches.sort((a, b) => confidence(b) - confidence(a) || a - b);
    const limit = Math.max(0, Math.min(query.limit, MAX_MISTAKES));
    const digits = matches.slice(0, limit).map((index) => ({
      index,
      label: test.labels[index],
      predicted: last.predicted[index],
      probabilities: Array.from(last.probabilities.subarray(index * NUM_CLASSES, (index + 1) * NUM_CLASSES)),
      pixels: test.images.slice(index * IMAGE_SIZE, (index + 1) * IMAGE_SIZE),
    }));
    const confusion = new Array<number>(NUM_CLASSES * NUM_CLASSES).fill(0);
    for (let i = 0; i < test.count; i++) confusion[test.labels[i] * NUM_CLASSES + last.predicted[i]]++;
    return { epoch: last.epoch, total: matches.length, digits, confusion };
  }

  private async run(job: MeasureJob): Promise<MeasureResult> {
    if (!this.data.loaded) throw new DataNotReady();
    const started = performance.now();
    const engine = this.engineFor(job.model);
    engine.setState({ params: job.params, slots: new Float32Array(0), steps: 0 });
    const train = await this.split(job, 'train', job.trainRows);
    const testLogits = await this.logits(job, 'test', job.testRows);
    const testLabels = this.data.require().test.labels;
    const test = summarize(testLogits, (i) => testLabels[job.testRows ? job.testRows[i] : i]);
    if (!job.testRows) {
      const probabilities = softmax(testLogits);
      const predicted = new Uint8Array(test.count);
      for (let i = 0; i < test.count; i++)
        predicted[i] = argMax(probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      this.last = { runId: job.runId, epoch: job.epoch, probabilities, predicted };
    }
    return {
      measurement: {
        runId: job.runId,
        batch: job.batch,
        epoch: job.epoch,
        trainingSeconds: job.trainingSeconds,
        evalSeconds: (performance.now() - started) / 1000,
        trainLoss: train.loss,
        trainAccuracy: train.accuracy,
        trainCount: train.count,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        testCount: test.count,
        full: job.trainRows === null && job.testRows === null,
      },
      confusion: test.confusion,
    };
  }

  private async split(job: MeasureJob, split: Split, rows: Int32Array | null): Promise<Evaluation> {
    const labels = this.data.require()[split].labels;
    const logits = await this.logits(job, split, rows);
    return summarize(logits, (i) => labels[rows ? rows[i] : i]);
  }

  /** Logits of `rows` (or all) of `split`, in chunks, checking between them whether to go on. */
  private async logits(job: MeasureJob, split: Split, rows: Int32Array | null): Promise<Float32Array> {
    const count = rows ? rows.length : this.data.require()[split].count;
    const out = new Float32Array(count * NUM_CLASSES);
    for (let start = 0; start < count; start += CHUNK) {
      // The current model outside a run (CURRENT_MODEL) is measured whatever run came before it.
      if (job.runId !== CURRENT_MODEL && job.runId < this.firstRun) throw new Cancelled();
      const end = Math.min(count, start + CHUNK);
      const chunk = rows
        ? rows.subarray(start, end)
        : Int32Array.from({ length: end - start }, (_, i) => start + i);
      out.set(await this.engine!.logits(split, chunk), start * NUM_CLASSES);
    }
    return out;
  }

  /** A CPU engine for `model`, kept while the model stays the same. */
  private engineFor(model: ModelSpec): CpuEngine {
    const key = JSON.stringify(model);
    if (this.engine && this.engineModel === key) return this.engine;
    const layout = netLayout(model);
    this.engine = new CpuEngine({
      layout,
      data: this.data,
      optimizer: 'sgd',
      state: { params: new Float32Array(layout.paramCount), slots: new Float32Array(0), steps: 0 },
    });
    this.engineModel = key;
    return this.engine;
  }
}
