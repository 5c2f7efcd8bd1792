import { useMemo, useSyncExternalStore } from 'react';
import type { VersionChannel } from '../../client/metricsStore';

/**
 * Subscribes a component to one channel of an external store and returns the channel's version
 * number (STYLE.md section 3). The snapshot is a number, never a fresh array, so React's
 * "getSnapshot should be cached" check holds and a re-render happens only when the version moves.
 */
export function useStoreVersion(channel: VersionChannel): number {
  return useSyncExternalStore(channel.subscribe, channel.getVersion, channel.getVersion);
}

/**
 * Subscribes to `channel` and derives a value from the store, recomputed only when the channel's
 * version moves: e.g. `useStoreMemo(store.losses, () => lossSeries(store.getLosses()))`.
 * `derive` must read only the store (and constants): it is not a cache key, so anything else it
 * closes over would go stale.
 */
export function useStoreMemo<T>(channel: VersionChannel, derive: () => T): T {
  const version = useStoreVersion(channel);
  // The version is the cache key because the store mutates its buffers in place: no value that
  // `derive` reads changes identity, so the deps rule cannot see what invalidates the result.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => derive(), [channel, version]);
}
