/**
 * The data set resident on the device: uploaded once per backend, then every batch is gathered on
 * the device from an index tensor instead of uploading pixels per step. Float32 0..1 measured
 * best: tfjs has no uint8 dtype, int32 is as large, and a cast per batch costs one more kernel.
 * 60,000 x 784 float32 is 188 MB of device memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/loadMnist';
import { bytesToUnit, IMAGE_SIZE, NUM_CLASSES } from '../data/mnistSprite';
import { mulberry32, shuffledIndices } from './random';

/** In-sample accuracy is measured on this many training images (a fixed random subset). */
export const TRAIN_EVAL_SAMPLES = 10_000;
/** The subset is the same in every run and every seed, so accuracies stay comparable. */
const TRAIN_EVAL_SEED = 20_240_601;

export interface DeviceSplit {
  count: number;
  /** [count, 784] float32, 0..1. */
  images: tf.Tensor2D;
  /** [count, 10] float32, one-hot. */
  oneHot: tf.Tensor2D;
}

export interface DeviceData {
  train: DeviceSplit;
  test: DeviceSplit;
  /** [min(count, TRAIN_EVAL_SAMPLES)] int32: which training images measure in-sample accuracy. */
  trainEvalIndices: tf.Tensor1D;
}

/** Uploads one split. The returned tensors are owned by the caller (disposeDeviceData). */
export function uploadSplit(split: MnistSplit): DeviceSplit {
  const images = tf.tensor2d(bytesToUnit(split.images.subarray(0, split.count * IMAGE_SIZE)), [
    split.count,
    IMAGE_SIZE,
  ]);
  const oneHot = tf.tidy(() =>
    tf
      .oneHot(tf.tensor1d(Int32Array.from(split.labels.subarray(0, split.count)), 'int32'), NUM_CLASSES)
      .toFloat(),
  );
  return { count: split.count, images: images as tf.Tensor2D, oneHot: oneHot as tf.Tensor2D };
}

/** The rows of a training set of `count` images that measure in-sample accuracy, ascending. */
export function trainEvalSubset(count: number): Int32Array {
  const n = Math.min(count, TRAIN_EVAL_SAMPLES);
  return shuffledIndices(count, mulberry32(TRAIN_EVAL_SEED)).slice(0, n).sort();
}

/** Uploads both splits and the in-sample subset (5 tensors, released by disposeDeviceData). */
export function uploadData(train: MnistSplit, test: MnistSplit): DeviceData {
  const subset = trainEvalSubset(train.count);
  return {
    train: uploadSplit(train),
    test: uploadSplit(test),
    trainEvalIndices: tf.tensor1d(subset, 'int32'),
  };
}

export function disposeDeviceData(data: DeviceData): void {
  tf.dispose([
    data.train.images,
    data.train.oneHot,
    data.test.images,
    data.test.oneHot,
    data.trainEvalIndices,
  ]);
}
