import { useEffect, useId, useRef } from 'react';
import { createPadController, type PadController } from './padController';

export interface DrawingPadProps {
  /**
   * The drawing as the model sees it: 784 floats 0..1, white on black, row-major, centred like
   * MNIST (see data/canvasToInput.ts). Called at most every ~50 ms while drawing, once when the
   * pen lifts, and with null after Clear. Need not be stable: the latest one is always called.
   */
  onInput(pixels: Float32Array | null): void;
}

/**
 * A square canvas to draw a digit on with mouse, touch or pen, and a Clear button. White ink on
 * black with a pen about a twelfth of the pad wide, so strokes come out MNIST-thick. Sharp at
 * any devicePixelRatio. The canvas has aria-label "Drawing pad"; the button is named "Clear".
 */
export function DrawingPad({ onInput }: DrawingPadProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<PadController | null>(null);
  const onInputRef = useRef(onInput);
  const hintId = useId();

  useEffect(() => {
    onInputRef.current = onInput;
  }, [onInput]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // Through the ref, so a parent passing a fresh callback each render does not tear down the
    // pad (and its strokes) every time.
    const pad = createPadController(canvas, (pixels) => onInputRef.current(pixels));
    padRef.current = pad;
    return () => {
      pad.destroy();
      padRef.current = null;
    };
  }, []);

  return (
    <div className="drawing-pad">
      <canvas
        ref={canvasRef}
        className="drawing-pad-canvas"
        role="img"
        aria-label="Drawing pad"
        aria-describedby={hintId}
        data-testid="draw.pad"
      />
      <div className="drawing-pad-actions">
        <span id={hintId} className="drawing-pad-hint">
          Draw one digit, large, in the middle. No pointer? Pick a test digit below (Tab, then Enter).
        </span>
        <button type="button" onClick={() => padRef.current?.clear()} data-testid="draw.clear">
          Clear
        </button>
      </div>
    </div>
  );
}
