import { startTransition, useEffect, useState } from 'react';

/**
 * How many of `count` stages of the page are mounted: none at first, then one more after each
 * painted frame, so that no frame lays out and paints the whole page at once: the whole page's
 * first frame (style, layout with the fonts' set-up, paint) was one main-thread task well over
 * 50 ms; a column at a time, each is a fraction of it, and all of them are there within a few
 * frames (docs/performance.md).
 */
export function useMountStages(count: number): number {
  const [stage, setStage] = useState(0);
  useEffect(() => {
    if (stage >= count) return;
    let timer = 0;
    // After the next frame is painted: a task of its own, past the frame's rendering.
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => startTransition(() => setStage((s) => s + 1)));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [stage, count]);
  return stage;
}
