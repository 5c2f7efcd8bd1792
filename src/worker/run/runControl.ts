/** Cooperative control of a training loop: pause/stop flags read between batches. */

/**
 * Pause and stop flags the loop reads between batches. The worker sets them from messages; tests
 * set them from the emit callback.
 */
export class RunControl {
  stopRequested = false;
  pauseRequested = false;
  private waiters: (() => void)[] = [];

  pause(): void {
    if (!this.stopRequested) this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.wake();
  }

  stop(): void {
    this.stopRequested = true;
    this.wake();
  }

  /** Resolves once the run may go on: resumed, or stopped. */
  waitForResume(): Promise<void> {
    if (!this.pauseRequested || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
