/**
 * What a new training worker must take over when the page replaces its worker (a dead or stuck
 * one, see watchdog.ts): the current model, as the last checkpoint of its run, the weights of a
 * saved or imported model, or the reset that drew fresh ones. One place decides which is current:
 * a checkpoint of a run older than the page's last restore, import or reset is stale.
 */
import type { ModelSpec } from '../shared/modelSpec';
import type { FromWorker, ToWorker } from '../shared/protocol';

type Takeover = Extract<ToWorker, { type: 'restore' } | { type: 'reset' }>;

export class ModelCustody {
  private model: Takeover | null = null;
  /** The newest run started; checkpoints of runs from `keepFrom` on are kept. */
  private lastRun = 0;
  private keepFrom = 0;

  /** Run `runId` started: its checkpoints are the model from now on. */
  runStarted(runId: number): void {
    this.lastRun = runId;
    this.keepFrom = runId;
  }

  /** A checkpoint arrived; kept unless the page set another model after its run started. */
  checkpoint(msg: Extract<FromWorker, { type: 'checkpoint' }>): void {
    if (msg.runId < this.keepFrom) return;
    this.model = { type: 'restore', model: msg.model, params: msg.params };
  }

  /** The page made `params` of `model` the current model (a saved run, an imported one). */
  restored(model: ModelSpec, params: Float32Array): void {
    this.set({ type: 'restore', model, params });
  }

  /** The page drew fresh weights for `model` from `seed`. */
  reset(model: ModelSpec, seed: number): void {
    this.set({ type: 'reset', model, seed });
  }

  /** The model starts over (another backend): a new worker takes over nothing. */
  forget(): void {
    this.set(null);
  }

  /** Whether a new worker would take over trained weights (not a reset, not nothing). */
  get holdsWeights(): boolean {
    return this.model?.type === 'restore';
  }

  /**
   * The message that makes a new worker take the model over, with the buffers to transfer: a copy
   * of the weights, so that the page keeps its own for the next replacement.
   */
  takeover(): { msg: Takeover; transfer: Transferable[] } | null {
    if (this.model?.type !== 'restore') return this.model && { msg: this.model, transfer: [] };
    const params = this.model.params.slice();
    return { msg: { ...this.model, params }, transfer: [params.buffer] };
  }

  private set(model: Takeover | null): void {
    this.model = model;
    // Checkpoints of runs started before this are stale.
    this.keepFrom = this.lastRun + 1;
  }
}
