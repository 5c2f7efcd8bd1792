import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_CNN, TUTORIAL_MODEL } from '../shared/modelSpec';
import { netLayout } from './layout';
import { chooseEngine, loadTfjsEngines } from './registry';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await loadTfjsEngines();
});

describe('which engine trains a model', () => {
  it('on the CPU backend, the CPU engine, for an MLP and a CNN alike', () => {
    for (const spec of [TUTORIAL_MODEL, SMALL_CNN])
      expect(chooseEngine(netLayout(spec), 'js').kind.name).toBe('cpu');
  });

  it('on tfjs backends the tfjs engine, and says why the WebGL programs were passed over', () => {
    expect(chooseEngine(netLayout(TUTORIAL_MODEL), 'wasm').kind.name).toBe('tfjs');
    const cnn = chooseEngine(netLayout(SMALL_CNN), 'webgl');
    expect(cnn.kind.name).toBe('tfjs');
    expect(cnn.reason).toMatch(/WebGL programs train MLPs only/);
    // Here tfjs runs on its cpu backend, so the programs cannot run even for an MLP.
    expect(chooseEngine(netLayout(TUTORIAL_MODEL), 'webgl').reason).toMatch(/even layer widths on WebGL 2/);
  });

  it('passes over an engine that failed here, and says what went wrong', () => {
    const { kind, reason } = chooseEngine(netLayout(TUTORIAL_MODEL), 'js', {
      cpu: 'the CPU engine broke (test)',
    });
    expect(kind.name).toBe('tfjs');
    expect(reason).toContain('the CPU engine broke (test)');
  });
});
