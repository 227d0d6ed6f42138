/** Reductions and the fused softmax-cross-entropy pair. Rules: reduce-rules.ts. */
import { allocateOutput as allocate } from './arena.ts';
import type { TypedArray } from './dtype.ts';
import { fmt, sizeOf, stridesOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { around, fromF64, stridedIndex } from './primitive-helpers.ts';
import type { FamilyTable, ReduceParams } from './primitives.ts';

/** For each input flat index, the flat index of the output it reduces into (axes removed). */
function reduceIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  const outStrides = stridesOf(shape.filter((_, i) => !axes.includes(i)));
  const stride = new Array<number>(shape.length).fill(0);
  let j = 0;
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) stride[i] = outStrides[j++]!;
  return stridedIndex(shape, stride);
}

/** [outer, reduced, inner] sizes when the sorted `axes` are consecutive, else undefined. */
function contiguousBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | undefined {
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length) return undefined;
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

/** A logits row's max m and Σ exp(x − m): the stable softmax normalizer, shared by the CE pair. */
function rowMaxAndExpSum(x: TypedArray, offset: number, cols: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[offset + j]! > m) m = x[offset + j]!;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[offset + j]! - m);
  return [m, s];
}

export const reduceImpls: FamilyTable<ReduceParams, 'impl'> = {
  softmaxCrossEntropy: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const x = logits!.data;
    const y = labels!.data;
    // Row by row in float64, in a fixed order: reproducible, and exact to float32 rounding once.
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const [m, s] = rowMaxAndExpSum(x, r * cols, cols);
      total += Math.log(s) + m - x[r * cols + y[r]!]!;
    }
    const out = allocate(logits!.dtype, 1);
    out[0] = total / rows;
    return new Tensor(out, [], logits!.dtype);
  },
  softmaxCrossEntropyGrad: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const x = logits!.data;
    const y = labels!.data;
    const out = allocate(logits!.dtype, rows * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const [m, s] = rowMaxAndExpSum(x, o, cols);
      const scale = 1 / (s * rows);
      for (let j = 0; j < cols; j++) out[o + j] = Math.exp(x[o + j]! - m) * scale;
      out[o + y[r]!]! -= 1 / rows;
    }
    return new Tensor(out, logits!.shape, logits!.dtype);
  },
  sum: ([x], { axes }) => {
    // Accumulate in float64 in row-major input order: a fixed order, so results are reproducible.
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    const acc = allocate('float64', sizeOf(outShape)) as Float64Array;
    const a = x!.data;
    const block = contiguousBlock(x!.shape, axes);
    if (block) {
      const [outer, red, inner] = block;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < red; r++) {
          const src = (o * red + r) * inner;
          const dst = o * inner;
          for (let i = 0; i < inner; i++) acc[dst + i]! += a[src + i]!;
        }
      }
    } else {
      const map = reduceIndex(x!.shape, axes);
      for (let i = 0; i < a.length; i++) acc[map[i]!]! += a[i]!;
    }
    return fromF64(acc, outShape, x!.dtype);
  },
  max: ([x], { axes }) => {
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    const outSize = sizeOf(outShape);
    if (x!.size === 0 && outSize > 0) throw new Error(`max: cannot reduce an empty axis of shape ${fmt(x!.shape)}`);
    const out = allocate(x!.dtype, outSize).fill(-Infinity);
    const a = x!.data;
    // NaN wins, so max propagates NaN like NumPy.
    const block = contiguousBlock(x!.shape, axes);
    if (block) {
      const [outer, red, inner] = block;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < red; r++) {
          const src = (o * red + r) * inner;
          const dst = o * inner;
          for (let i = 0; i < inner; i++) {
            const v = a[src + i]!;
            if (v > out[dst + i]! || v !== v) out[dst + i] = v;
          }
        }
      }
    } else {
      const map = reduceIndex(x!.shape, axes);
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        const j = map[i]!;
        if (v > out[j]! || v !== v) out[j] = v;
      }
    }
    return new Tensor(out, outShape, x!.dtype);
  },
  argmax: ([x], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    if (len === 0) throw new Error(`argmax: axis ${axis} of shape ${fmt(x!.shape)} is empty`);
    const out = new Int32Array(outer * inner);
    const a = x!.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bestV = a[o * len * inner + i]!;
        for (let k = 1; k < len; k++) {
          const v = a[(o * len + k) * inner + i]!;
          if (v > bestV) { best = k; bestV = v; }
        }
        out[o * inner + i] = best;
      }
    }
    return new Tensor(out, x!.shape.filter((_, i) => i !== axis), 'int32');
  },
};
