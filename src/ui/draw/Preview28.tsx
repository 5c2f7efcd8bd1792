import { useEffect, useRef } from 'react';
import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';

export interface Preview28Props {
  /** 784 values, row-major: floats 0..1 (model input) or bytes 0..255 (test images). Null: blank. */
  pixels: Float32Array | Uint8Array | null;
  /** Displayed side in CSS pixels; multiples of 28 keep every pixel the same size. */
  size?: number;
  /** Accessible name. Without one the image is decorative (hidden from assistive tech). */
  label?: string;
  className?: string;
}

/**
 * A 28x28 grey image drawn at its true resolution and scaled up crisply by CSS
 * (image-rendering: pixelated), white on black: "what the model sees" and test-digit thumbnails.
 */
export function Preview28({ pixels, size = 112, label, className }: Preview28Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(IMAGE_SIDE, IMAGE_SIDE);
    // Floats are 0..1, bytes 0..255; anything shorter than 784 leaves the rest black.
    const scale = pixels instanceof Float32Array ? 255 : 1;
    const n = pixels ? Math.min(pixels.length, IMAGE_SIZE) : 0;
    for (let i = 0; i < IMAGE_SIZE; i++) {
      const v = i < n && pixels ? pixels[i] * scale : 0;
      image.data[i * 4] = v;
      image.data[i * 4 + 1] = v;
      image.data[i * 4 + 2] = v;
      image.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }, [pixels]);

  return (
    <canvas
      ref={canvasRef}
      className={className ? `preview28 ${className}` : 'preview28'}
      width={IMAGE_SIDE}
      height={IMAGE_SIDE}
      style={{ width: size, height: size }}
      {...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true })}
    />
  );
}
