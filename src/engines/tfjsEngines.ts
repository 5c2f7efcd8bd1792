/**
 * The engines built on TensorFlow.js, loaded together and only where they may train
 * (registry.ts, loadTfjsEngines): TensorFlow.js is most of the worker's code, and on a CPU the
 * project's own engine trains without it.
 */
export { createTfjsEngine } from './tfjs/engine';
export { WebglEngine } from './webgl/engine';
export { webglSelfCheck } from './webgl/selfCheck';
export { supportsWebglStep } from './webgl/step';
