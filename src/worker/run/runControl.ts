/**
 * Cooperative control of a training loop: pause/stop flags read between batches, and a yield
 * that lets queued messages run. Thread-neutral (MessageChannel exists in workers, pages and Node).
 */

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

let channel: MessageChannel | null = null;
const yielders: (() => void)[] = [];

/**
 * Lets queued messages run, then resumes. A MessageChannel round trip, not setTimeout(0), which
 * browsers clamp to 4 ms once nested: that would cost up to 40% of the training time.
 */
export function yieldToEventLoop(): Promise<void> {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => yielders.shift()?.();
    // Node keeps a process alive while a port is open; the browser has no unref.
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  const port = channel.port2;
  return new Promise((resolve) => {
    yielders.push(resolve);
    port.postMessage(null);
  });
}
