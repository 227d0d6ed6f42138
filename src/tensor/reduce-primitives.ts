/**
 * Reductions and the fused softmax-cross-entropy pair: shapes and outputs here, the loops in the
 * kernels (src/kernels/). Rules: reduce-rules.ts.
 */
import { allocateOutput as allocate } from './arena.ts';
import { fmt, sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import { around, fromF64 } from './primitive-helpers.ts';
import type { FamilyTable, ReduceParams } from './primitives.ts';

export const reduceImpls: FamilyTable<ReduceParams, 'impl'> = {
  softmaxCrossEntropy: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const out = allocate(logits!.dtype, 1);
    out[0] = kernels().softmaxCrossEntropy(logits!.data, labels!.data, rows, cols);
    return new Tensor(out, [], logits!.dtype);
  },
  softmaxCrossEntropyGrad: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const out = allocate(logits!.dtype, rows * cols);
    kernels().softmaxCrossEntropyGrad(logits!.data, labels!.data, rows, cols, out);
    return new Tensor(out, logits!.shape, logits!.dtype);
  },
  sum: ([x], { axes }) => {
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    // Zeroed: the kernel accumulates into it.
    const acc = allocate('float64', sizeOf(outShape)) as Float64Array;
    kernels().sum(x!.data, x!.shape, axes, acc);
    return fromF64(acc, outShape, x!.dtype);
  },
  max: ([x], { axes }) => {
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    const outSize = sizeOf(outShape);
    if (x!.size === 0 && outSize > 0) throw new Error(`max: cannot reduce an empty axis of shape ${fmt(x!.shape)}`);
    const out = allocate(x!.dtype, outSize);
    kernels().max(x!.data, x!.shape, axes, out);
    return new Tensor(out, outShape, x!.dtype);
  },
  argmax: ([x], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    if (len === 0) throw new Error(`argmax: axis ${axis} of shape ${fmt(x!.shape)} is empty`);
    const out = new Int32Array(outer * inner);
    kernels().argmax(x!.data, outer, len, inner, out);
    return new Tensor(
      out,
      x!.shape.filter((_, i) => i !== axis),
      'int32',
    );
  },
};
