/**
 * Whether the training worker is alive, as a pure judge: timestamps in, a verdict out (wait, ping,
 * replace it, or give up), no timers or clocks of its own. The client asks it every `pingMs`;
 * tests ask it at whatever times they choose.
 *
 * A worker answers a ping within a batch, even while training. On WebGL its first steps of a model
 * can hold its thread for seconds while the GPU driver compiles its programs, so silence there is
 * judged longer. A page that was itself asleep (a background tab's timers run once a minute)
 * judges nothing on waking: what looks late may only be unread.
 */

export interface WatchdogLimits {
  /** How often the worker is pinged. */
  pingMs: number;
  /** How long a ping may go unanswered before the worker is presumed dead and replaced. */
  silentMs: number;
  /** The same on the WebGL backend. */
  gpuSilentMs: number;
  /** How long a new worker may take to say anything at all (it loads TensorFlow.js first). */
  startupMs: number;
}

/**
 * On a CPU backend a worker answers a ping within ~10 ms; on WebGL a CNN's first TensorFlow.js
 * steps held a healthy worker's thread for ~5 s on SwiftShader, so it is judged over 20 s there.
 */
export const WATCHDOG_LIMITS: WatchdogLimits = {
  pingMs: 1000,
  silentMs: 4000,
  gpuSilentMs: 20_000,
  startupMs: 30_000,
};

/** Replacements within RESTART_WINDOW_MS after which the page stops trying: it cannot run here. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 120_000;

export type Verdict =
  | { action: 'wait' }
  | { action: 'ping' }
  | { action: 'replace'; reason: string }
  /** Said once, when the replacements run out; `wait` after that. */
  | { action: 'giveUp'; message: string };

export class Watchdog {
  readonly limits: WatchdogLimits;
  /** When the worker started, whether it has said anything yet, whether it runs on WebGL. */
  private startedAt: number;
  private heardFrom = false;
  private onGpu = false;
  /** When the ping now unanswered was sent, or null. */
  private pingSentAt: number | null = null;
  private lastCheck: number;
  /** When recent replacements happened. */
  private restarts: number[] = [];

  constructor(limits: WatchdogLimits, now: number) {
    this.limits = limits;
    this.startedAt = now;
    this.lastCheck = now;
  }

  /** A new worker started at `now`: it has said nothing yet, and is not known to be on WebGL. */
  started(now: number): void {
    this.startedAt = now;
    this.heardFrom = false;
    this.onGpu = false;
    this.pingSentAt = null;
  }

  /** The worker said something: it is alive. `gpu`, when it says which backend it runs on. */
  heard(gpu?: boolean): void {
    this.heardFrom = true;
    this.pingSentAt = null;
    if (gpu !== undefined) this.onGpu = gpu;
  }

  /** What to do at `now`. */
  check(now: number): Verdict {
    const { limits } = this;
    const asleep = now - this.lastCheck > 2 * limits.pingMs;
    this.lastCheck = now;
    if (asleep) {
      if (!this.heardFrom) this.startedAt = now;
      this.pingSentAt = null;
    }
    const silentMs = this.onGpu ? limits.gpuSilentMs : limits.silentMs;
    const late = this.heardFrom
      ? this.pingSentAt !== null && now - this.pingSentAt > silentMs
      : now - this.startedAt > limits.startupMs;
    if (!late) {
      if (!this.heardFrom || this.pingSentAt !== null) return { action: 'wait' };
      this.pingSentAt = now;
      return { action: 'ping' };
    }
    this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS)
      return this.restarts.length === MAX_RESTARTS + 1
        ? {
            action: 'giveUp',
            message: `The training worker stopped answering ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60_000} minutes: it cannot run here. Reload the page to try again.`,
          }
        : { action: 'wait' };
    const seconds = Math.round((this.heardFrom ? silentMs : limits.startupMs) / 1000);
    return {
      action: 'replace',
      reason: this.heardFrom
        ? `The training worker stopped answering for ${seconds} s, so it was replaced by a new one.`
        : `The training worker said nothing for ${seconds} s after it started, so it was replaced by a new one.`,
    };
  }
}
