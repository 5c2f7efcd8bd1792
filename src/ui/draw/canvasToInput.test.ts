import { describe, expect, it } from 'vitest';
import { CENTRE_OF_MASS_TARGET, DIGIT_BOX, canvasToInput, centreOfMass, inkToInput } from './canvasToInput';
import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';

/** A blank ink image with filled rectangles [x, y, w, h] at full ink. */
function inkImage(width: number, height: number, rects: [number, number, number, number][]): Float32Array {
  const ink = new Float32Array(width * height);
  for (const [rx, ry, rw, rh] of rects) {
    for (let y = ry; y < ry + rh; y++) for (let x = rx; x < rx + rw; x++) ink[y * width + x] = 1;
  }
  return ink;
}

/** The same image as a canvas would return it: white on opaque black, RGBA bytes. */
function toRgba(ink: Float32Array): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(ink.length * 4);
  for (let i = 0; i < ink.length; i++) {
    const v = Math.round(ink[i] * 255);
    rgba.set([v, v, v, 255], i * 4);
  }
  return rgba;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function inkBox(pixels: Float32Array): Box {
  const box = { left: IMAGE_SIDE, right: -1, top: IMAGE_SIDE, bottom: -1 };
  for (let y = 0; y < IMAGE_SIDE; y++) {
    for (let x = 0; x < IMAGE_SIDE; x++) {
      if (pixels[y * IMAGE_SIDE + x] > 0) {
        box.left = Math.min(box.left, x);
        box.right = Math.max(box.right, x);
        box.top = Math.min(box.top, y);
        box.bottom = Math.max(box.bottom, y);
      }
    }
  }
  return box;
}

describe('canvasToInput', () => {
  it('returns null for an empty drawing', () => {
    expect(inkToInput(new Float32Array(100 * 80), 100, 80)).toBeNull();
    expect(canvasToInput({ data: new Uint8ClampedArray(50 * 50 * 4), width: 50, height: 50 })).toBeNull();
  });

  it('crops, scales to 20x20 and centres an off-centre, oversized "7" by its centre of mass', () => {
    // A 7 in the top-left of a 400x300 pad, 220 px tall: a top bar and a right-hand stem. Its
    // centre of mass is right of its box centre, so box-centring alone would fail the check.
    const w = 400;
    const h = 300;
    const ink = inkImage(w, h, [
      [20, 10, 150, 24],
      [146, 10, 24, 220],
    ]);
    const out = inkToInput(ink, w, h);
    expect(out).not.toBeNull();
    const pixels = out!;
    expect(pixels).toHaveLength(IMAGE_SIZE);
    expect(Math.max(...pixels)).toBeCloseTo(1, 6);
    expect(Math.min(...pixels)).toBeGreaterThanOrEqual(0);

    const box = inkBox(pixels);
    const boxW = box.right - box.left + 1;
    const boxH = box.bottom - box.top + 1;
    expect(boxH).toBe(DIGIT_BOX); // the longer side fills the box exactly
    expect(boxW).toBeLessThanOrEqual(DIGIT_BOX);
    expect(boxW).toBe(Math.ceil((150 * DIGIT_BOX) / 220)); // aspect ratio kept

    // Convention: pixel-index coordinates, target (14, 14), as in MNIST (see canvasToInput.ts).
    const com = centreOfMass(pixels, IMAGE_SIDE, IMAGE_SIDE)!;
    expect(Math.abs(com.x - CENTRE_OF_MASS_TARGET)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com.y - CENTRE_OF_MASS_TARGET)).toBeLessThanOrEqual(0.5);
    const boxCentreX = (box.left + box.right) / 2;
    expect(com.x).toBeGreaterThan(boxCentreX); // the mass, not the box, was centred
  });

  it('keeps a thin vertical line a vertical line, 20 pixels tall, in the centre column', () => {
    const w = 300;
    const h = 300;
    const ink = inkImage(w, h, [[200, 30, 6, 240]]);
    const pixels = inkToInput(ink, w, h)!;
    const box = inkBox(pixels);
    expect(box.bottom - box.top + 1).toBe(DIGIT_BOX);
    expect(box.right - box.left + 1).toBe(1);
    expect(box.left).toBe(CENTRE_OF_MASS_TARGET);
    for (let y = box.top; y <= box.bottom; y++) expect(pixels[y * IMAGE_SIDE + box.left]).toBeCloseTo(1, 6);
  });

  it('anti-aliases the edge of the narrow side with grey levels', () => {
    // 60 x 40 scales by 1/3 to 20 x 13.33: 13 full rows and a last row one third inked.
    const ink = inkImage(100, 100, [[10, 10, 60, 40]]);
    const pixels = inkToInput(ink, 100, 100)!;
    const box = inkBox(pixels);
    expect(box.bottom - box.top + 1).toBe(14);
    const edge = pixels[box.bottom * IMAGE_SIDE + box.left + 5];
    expect(edge).toBeCloseTo(1 / 3, 5);
    expect(pixels[box.top * IMAGE_SIDE + box.left + 5]).toBeCloseTo(1, 6);
  });

  it('reads the red channel of RGBA exactly as it reads an ink buffer', () => {
    const ink = inkImage(120, 90, [
      [5, 5, 40, 8],
      [30, 5, 10, 70],
    ]);
    const fromRgba = canvasToInput({ data: toRgba(ink), width: 120, height: 90 })!;
    const fromInk = inkToInput(ink, 120, 90)!;
    for (let i = 0; i < IMAGE_SIZE; i++) expect(fromRgba[i]).toBeCloseTo(fromInk[i], 6);
  });
});
