/**
 * The drawing pad's imperative half, outside React: pointer input, strokes, painting at the
 * device's pixel ratio, and throttled read-back through `canvasToInput`. Strokes live here, not in
 * React state: a pointermove must not cost a render.
 */

import { canvasToInput } from './canvasToInput';

/** Pen width as a fraction of the pad's side: a digit drawn across most of the pad then has
 * strokes about 2-3 pixels wide once scaled to MNIST's 20 pixel box, like the training digits. */
export const PEN_FRACTION = 1 / 12;

/** Longest wait between previews while the pen moves. */
export const THROTTLE_MS = 50;

const BACKGROUND = '#000';
const INK = '#fff';

/** A point in pad units: 0..1 across the pad's side, so strokes survive a resize. */
interface PadPoint {
  x: number;
  y: number;
}

export interface PadController {
  /** Wipes the strokes and reports null. */
  clear(): void;
  /** Removes listeners and pending frames. */
  destroy(): void;
}

/**
 * Wires `canvas` up as a drawing pad. `onInput` receives the 28x28 preprocessed image (784 floats
 * 0..1) at most every THROTTLE_MS while drawing and once when the pen lifts; null after `clear`.
 */
export function createPadController(
  canvas: HTMLCanvasElement,
  onInput: (pixels: Float32Array | null) => void,
): PadController {
  // alpha: false gives an opaque backing store; willReadFrequently keeps it in CPU memory, which
  // makes the getImageData of every preview cheap instead of a GPU read-back.
  const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  const strokes: PadPoint[][] = [];
  let active: { pointerId: number; stroke: PadPoint[] } | null = null;
  let cssSide = 0;
  let dpr = 1;
  let frame = 0;
  let lastEmit = -Infinity;
  let dprQuery: MediaQueryList | null = null;

  function prepare(): CanvasRenderingContext2D | null {
    if (!ctx) return null;
    // Draw in CSS pixels; the transform maps them onto the DPR-sized backing store.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = cssSide * PEN_FRACTION;
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    return ctx;
  }

  function dot(c: CanvasRenderingContext2D, p: PadPoint): void {
    // A tap must leave a mark: a zero-length segment is not reliably stroked with round caps.
    c.beginPath();
    c.arc(p.x * cssSide, p.y * cssSide, (cssSide * PEN_FRACTION) / 2, 0, Math.PI * 2);
    c.fill();
  }

  function segment(c: CanvasRenderingContext2D, a: PadPoint, b: PadPoint): void {
    c.beginPath();
    c.moveTo(a.x * cssSide, a.y * cssSide);
    c.lineTo(b.x * cssSide, b.y * cssSide);
    c.stroke();
  }

  function repaint(): void {
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const c = prepare();
    if (!c) return;
    for (const stroke of strokes) {
      dot(c, stroke[0]);
      for (let i = 1; i < stroke.length; i++) segment(c, stroke[i - 1], stroke[i]);
    }
  }

  function resize(): void {
    const rect = canvas.getBoundingClientRect();
    cssSide = rect.width;
    dpr = window.devicePixelRatio || 1;
    const side = Math.max(1, Math.round(cssSide * dpr));
    // Assigning width clears the canvas, so only do it when the size really changed.
    if (canvas.width !== side || canvas.height !== side) {
      canvas.width = side;
      canvas.height = side;
    }
    repaint();
  }

  function emitNow(): void {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    lastEmit = performance.now();
    if (!ctx || strokes.length === 0) {
      onInput(null);
      return;
    }
    onInput(canvasToInput(ctx.getImageData(0, 0, canvas.width, canvas.height)));
  }

  function tick(): void {
    // Preview on a frame, but not more often than THROTTLE_MS: read-back plus inference must not
    // starve the painting of the stroke itself.
    if (performance.now() - lastEmit < THROTTLE_MS) {
      frame = requestAnimationFrame(tick);
      return;
    }
    frame = 0;
    emitNow();
  }

  function requestEmit(): void {
    if (!frame) frame = requestAnimationFrame(tick);
  }

  function toPad(e: PointerEvent): PadPoint {
    const rect = canvas.getBoundingClientRect();
    const side = rect.width || 1;
    return { x: (e.clientX - rect.left) / side, y: (e.clientY - rect.top) / side };
  }

  function onPointerDown(e: PointerEvent): void {
    // Primary pointer and main button only: a second finger, right click or pen barrel button
    // must not start a stroke.
    if (!e.isPrimary || e.button !== 0 || active) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    const p = toPad(e);
    active = { pointerId: e.pointerId, stroke: [p] };
    strokes.push(active.stroke);
    const c = prepare();
    if (c) dot(c, p);
    requestEmit();
  }

  function onPointerMove(e: PointerEvent): void {
    if (!active || e.pointerId !== active.pointerId) return;
    const c = prepare();
    // Coalesced events recover the points the browser merged into this one: smoother curves on
    // fast strokes without handling more events.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length > 0 ? events : [e]) {
      const p = toPad(ev);
      const prev = active.stroke[active.stroke.length - 1];
      active.stroke.push(p);
      if (c) segment(c, prev, p);
    }
    requestEmit();
  }

  function onPointerEnd(e: PointerEvent): void {
    if (!active || e.pointerId !== active.pointerId) return;
    active = null;
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    // The final image goes out at once, not throttled: lifting the pen is when users look.
    emitNow();
  }

  function watchDpr(): void {
    // A media query on the current ratio fires when the window moves to another screen or the
    // page is zoomed; re-arm it for the new ratio each time.
    dprQuery?.removeEventListener('change', onDprChange);
    if (typeof window.matchMedia !== 'function') return;
    dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    dprQuery.addEventListener('change', onDprChange);
  }

  function onDprChange(): void {
    watchDpr();
    resize();
  }

  const resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(() => resize()) : null;
  resizeObserver?.observe(canvas);
  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointermove', onPointerMove);
  canvas.addEventListener('pointerup', onPointerEnd);
  canvas.addEventListener('pointercancel', onPointerEnd);
  canvas.addEventListener('lostpointercapture', onPointerEnd);
  watchDpr();
  // ResizeObserver reports the canvas's first size once the page is laid out, before it is
  // painted; measuring it here too would force the whole page's first layout, a long task, inside
  // React's effects (docs/performance.md). Without ResizeObserver, measure now.
  if (!resizeObserver) resize();

  return {
    clear() {
      strokes.length = 0;
      active = null;
      repaint();
      emitNow();
    },
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      resizeObserver?.disconnect();
      dprQuery?.removeEventListener('change', onDprChange);
      canvas.removeEventListener('pointerdown', onPointerDown);
      canvas.removeEventListener('pointermove', onPointerMove);
      canvas.removeEventListener('pointerup', onPointerEnd);
      canvas.removeEventListener('pointercancel', onPointerEnd);
      canvas.removeEventListener('lostpointercapture', onPointerEnd);
    },
  };
}
