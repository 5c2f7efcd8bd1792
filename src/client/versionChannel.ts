/**
 * A subscription channel shaped for `useSyncExternalStore` (STYLE.md section 3): both functions
 * are stable (safe to pass directly), and the version is a number that changes exactly when the
 * channel's data did. The metrics store and the training session expose their changes so.
 */
export interface VersionChannel {
  subscribe(listener: () => void): () => void;
  getVersion(): number;
}

/** A channel its owner moves on. */
export interface Channel extends VersionChannel {
  /** Moves the version on and tells every listener. */
  bump(): void;
}

export function createChannel(): Channel {
  const listeners = new Set<() => void>();
  let version = 0;
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getVersion: () => version,
    bump() {
      version++;
      for (const listener of [...listeners]) listener();
    },
  };
}
