/**
 * The data set resident on a tfjs device: uploaded once per backend (a ResidentData form), then
 * every batch is gathered on the device from an index tensor instead of uploading pixels per step.
 * Float32 0..1 measured best: tfjs has no uint8 dtype, int32 is as large, and a cast per batch
 * costs one more kernel. 60,000 x 784 float32 is 188 MB of device memory.
 */
import * as tf from '@tensorflow/tfjs';
import { bytesToUnit, IMAGE_SIZE, NUM_CLASSES, type MnistData, type MnistSplit } from '../../shared/mnist';
import type { ResidentData } from '../data';

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
}

/** Uploads one split. The returned tensors are owned by the caller. */
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
  return { count: split.count, images, oneHot: oneHot as tf.Tensor2D };
}

function upload(mnist: MnistData): DeviceData {
  return { train: uploadSplit(mnist.train), test: uploadSplit(mnist.test) };
}

function release(data: DeviceData): void {
  tf.dispose([data.train.images, data.train.oneHot, data.test.images, data.test.oneHot]);
}

/** The data set on the current tfjs backend, uploaded on first use (4 tensors, held by `data`). */
export function deviceData(data: ResidentData): DeviceData {
  return data.form('tfjs-device', upload, release);
}
