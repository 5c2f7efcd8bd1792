import { describe, expect, it } from 'vitest';
import { LayersImportError } from './layersImportError';
import { checkLayersManifest } from './layersManifest';

/** A model.json of one dense layer of `units` over 784 inputs, its weights in `path`. */
function modelJson(units: number, path = './w.bin', dtype = 'float32') {
  return JSON.stringify({
    modelTopology: { class_name: 'Sequential' },
    weightsManifest: [
      {
        paths: [path],
        weights: [
          { name: 'dense/kernel', shape: [784, units], dtype },
          { name: 'dense/bias', shape: [units], dtype },
        ],
      },
    ],
  });
}

const MAX = 100e6;
const check = (text: string, files: { name: string; size: number }[]) => () =>
  checkLayersManifest('model.json', text, files, MAX);

describe('a picked model.json, checked before TensorFlow.js reads it', () => {
  it('takes a manifest whose weights files were picked and hold its bytes', () => {
    expect(check(modelJson(10), [{ name: 'w.bin', size: (7840 + 10) * 4 }])).not.toThrow();
  });

  it('refuses, naming the problem: not JSON, no topology, no manifest, no weights', () => {
    expect(check('{"modelTopology": ', [])).toThrow(/model.json is not valid JSON/);
    expect(check('{"weightsManifest": []}', [])).toThrow(/holds no modelTopology/);
    expect(check('{"modelTopology": {}}', [])).toThrow(/has no weightsManifest/);
    expect(check('{"modelTopology": {}, "weightsManifest": []}', [])).toThrow(/lists no weights/);
    expect(check('{"modelTopology": {}, "weightsManifest": [{"paths": 3}]}', [])).toThrow(
      /weightsManifest is malformed/,
    );
  });

  it('names a weights file that was not picked, and one of the wrong size', () => {
    expect(check(modelJson(10), [])).toThrow(/reads its weights from "w.bin", which was not picked/);
    expect(check(modelJson(10), [{ name: 'w.bin', size: 400 }])).toThrow(
      /"w.bin" holds 400 bytes, but model.json describes weights of 31400 bytes/,
    );
  });

  it('refuses absurd shapes and unknown dtypes before anything is allocated', () => {
    expect(check(modelJson(100_000_000), [{ name: 'w.bin', size: 8 }])).toThrow(
      /"dense\/kernel" of shape \[784, 100000000\] would take 313600 MB/,
    );
    expect(check(modelJson(10, './w.bin', 'complex64'), [])).toThrow(/dtype "complex64"/);
    expect(check(modelJson(10), [])).toThrow(LayersImportError);
  });
});
