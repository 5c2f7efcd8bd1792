/**
 * Which saved runs are training now, in this tab or another: the tab recording a run holds a Web
 * Lock named after it, which the browser releases when the tab goes away (closed, reloaded,
 * crashed). A run the ledger calls "training" whose lock nobody holds was interrupted.
 */

const PREFIX = 'mnist-studio.run:';

type Locks = LockManager | undefined;
const locks = (): Locks => (globalThis.navigator as Navigator | undefined)?.locks;

/** Marks run `id` live until the returned function is called (or the tab goes away). */
export function holdLive(id: string): () => void {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  void locks()
    ?.request(`${PREFIX}${id}`, () => held)
    .catch(() => {});
  return release;
}

/** The ids of the runs some tab is recording now; empty where the browser has no Web Locks. */
export async function liveRunIds(): Promise<Set<string>> {
  const manager = locks();
  if (!manager) return new Set();
  const { held = [] } = await manager.query();
  return new Set(held.flatMap(({ name }) => (name?.startsWith(PREFIX) ? [name.slice(PREFIX.length)] : [])));
}
