/**
 * tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so a CNN cannot train on it as
 * shipped ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"). Its
 * Conv3DBackpropFilterV2 computes the same sums over a depth of 1: this registers a
 * Conv2DBackpropFilter that hands it the same buffers with a depth axis added (a reshape is only
 * a new shape on the same data in that backend) and returns its [1, kh, kw, in, out] result as
 * [kh, kw, in, out]. The engine test holds the gradient to the reference's.
 */
import * as tf from '@tensorflow/tfjs';

const NAME = 'Conv2DBackpropFilter';

interface Conv2DFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

type Info = tf.TensorInfo;

if (!tf.getKernel(NAME, 'wasm')) {
  tf.registerKernel({
    kernelName: NAME,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: Info; dy: Info };
      const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DFilterAttrs;
      if (dataFormat === 'NCHW') throw new Error(`${NAME} on wasm: only NHWC is supported`);
      const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
      if (!conv3d) throw new Error(`${NAME} on wasm: no Conv3DBackpropFilterV2 to stand in`);
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const depth1 = (t: Info): Info => ({ ...t, shape: [t.shape[0], 1, ...t.shape.slice(1)] });
      const dw = conv3d.kernelFunc({
        inputs: { x: depth1(x), dy: depth1(dy) },
        backend,
        attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] },
      }) as Info;
      return { ...dw, shape: [...filterShape] };
    },
  });
}
