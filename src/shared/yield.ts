/**
 * A yield that lets queued messages run: long work in the worker (training, evaluating a split)
 * calls it every few ms, so pause, stop, predict and the page's pings get a turn. Thread-neutral
 * (MessageChannel exists in workers, pages and Node).
 */

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
