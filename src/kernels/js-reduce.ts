/**
 * The js backend's reductions (sum, max, argmax) and the fused softmax-cross-entropy pair
 * (contract in kernels.ts). Every loop runs in a fixed order, so results are reproducible.
 */
import type { DataArray } from './kernels.ts';
import { sizeOf, stridedIndex, stridesOf } from './js-index.ts';

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

export function sumInto(a: DataArray, shape: readonly number[], axes: readonly number[], acc: Float64Array): void {
  // Accumulate in float64 in row-major input order: a fixed order, so results are reproducible.
  const block = contiguousBlock(shape, axes);
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
    const map = reduceIndex(shape, axes);
    for (let i = 0; i < a.length; i++) acc[map[i]!]! += a[i]!;
  }
}

export function maxInto(a: DataArray, shape: readonly number[], axes: readonly number[], out: DataArray): void {
  out.fill(-Infinity);
  // NaN wins, so max propagates NaN like NumPy.
  const block = contiguousBlock(shape, axes);
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
    const map = reduceIndex(shape, axes);
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      const j = map[i]!;
      if (v > out[j]! || v !== v) out[j] = v;
    }
  }
}

export function argmaxInto(a: DataArray, outer: number, len: number, inner: number, out: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestV = a[o * len * inner + i]!;
      for (let k = 1; k < len; k++) {
        const v = a[(o * len + k) * inner + i]!;
        if (v > bestV) {
          best = k;
          bestV = v;
        }
      }
      out[o * inner + i] = best;
    }
  }
}

/** A logits row's max m and Σ exp(x − m): the stable softmax normalizer, shared by the CE pair. */
function rowMaxAndExpSum(x: DataArray, offset: number, cols: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[offset + j]! > m) m = x[offset + j]!;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[offset + j]! - m);
  return [m, s];
}

export function softmaxCrossEntropy(x: DataArray, y: DataArray, rows: number, cols: number): number {
  // Row by row in float64, in a fixed order: reproducible, and exact to float32 rounding once.
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const [m, s] = rowMaxAndExpSum(x, r * cols, cols);
    total += Math.log(s) + m - x[r * cols + y[r]!]!;
  }
  return total / rows;
}

export function softmaxCrossEntropyGradInto(x: DataArray, y: DataArray, rows: number, cols: number, out: DataArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const [m, s] = rowMaxAndExpSum(x, o, cols);
    const scale = 1 / (s * rows);
    for (let j = 0; j < cols; j++) out[o + j] = Math.exp(x[o + j]! - m) * scale;
    out[o + y[r]!]! -= 1 / rows;
  }
}
