/**
 * What the test and benchmark commands (hooks.ts) need of TensorFlow.js, loaded with it only when
 * one of them runs: a test build's worker starts as the page's does, without TensorFlow.js where
 * the CPU engine trains.
 */
export { tf } from '../../worker/tfjsRuntime';
export { deviceData } from '../../engines/tfjs/deviceData';
export { buildStockModel, stockOptimizer, stockStep } from './stockModel';
