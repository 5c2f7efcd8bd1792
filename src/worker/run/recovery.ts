/**
 * What keeps a model alive when its device or its engine fails, in one place for a run and for an
 * idle worker: a lost WebGL context moves to the next backend (the guard's fallback chain), an
 * engine that cannot run here after all (EngineFailed) to the next engine; either way the model is
 * rebuilt from the last good state on the CPU, and the page is told.
 */
import { EngineFailed, type Engine, type EngineState } from '../../engines/engine';
import type { NetLayout } from '../../engines/layout';
import type { OptimizerName } from '../../shared/config';
import type { BackendInfo } from '../../shared/protocol';
import type { Session } from '../session';
import type { Emit } from '../emit';

/** What the worker's backend layer does for a run to survive a lost WebGL context. */
export interface BackendGuard {
  /** True once the current backend's device state can no longer be trusted. */
  lost(): boolean;
  /** Whether `error`, thrown by a tf call, means the device is gone (marks it lost if so). */
  isDeviceFailure(error: unknown): boolean;
  /** Settles like `p`, or rejects once the device is lost (a lost context may never answer). */
  unlessLost<T>(p: Promise<T>): Promise<T>;
  /** Switches to the next backend in the fallback chain; null when none is left. */
  fallback(): Promise<BackendInfo | null>;
}

/** Raised by a run that finds its device lost between calls. */
export class DeviceLost extends Error {}

export type Failure = 'device' | 'engine';

/** What `error` means for the model: a lost device, a failed engine, or neither (a bug). */
export function failureOf(error: unknown, guard: BackendGuard | undefined): Failure | null {
  if (error instanceof EngineFailed) return 'engine';
  if (error instanceof DeviceLost || guard?.isDeviceFailure(error)) return 'device';
  return null;
}

/**
 * The model of `layout` rebuilt from `state` after `failure`, on the next backend or engine; null
 * when there is none left. Releases what the failed engine held.
 */
export async function recover(
  failure: Failure,
  error: unknown,
  session: Session,
  guard: BackendGuard | undefined,
  emit: Emit,
  start: { layout: NetLayout; optimizer: OptimizerName; state: EngineState },
): Promise<Engine | null> {
  if (failure === 'engine') {
    session.markFailed((error as Error).message);
  } else {
    session.dropDevice();
    const info = guard ? await guard.fallback() : null;
    if (!info) return null;
    emit({ type: 'backendChanged', ...info });
  }
  await session.prepare(start.layout);
  return session.install(start.layout, start.optimizer, start.state);
}
