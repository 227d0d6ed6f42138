/** Index and conversion helpers shared by the primitive families. */
import type { DType } from './dtype.ts';
import { allocateOutput as allocate } from './arena.ts';
import { sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';

/** Flat offsets Σ idx_i·stride_i over all multi-indices of `shape`, in row-major order. */
export function stridedIndex(shape: readonly number[], stride: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const map = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return map;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    map[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += stride[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

/** Split a tensor around `axis` as [outer, axisLen, inner]. */
export function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

export function fromF64(data: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === 'float64') return new Tensor(data, shape, dtype);
  // set() converts in one native pass (Float32Array.from would walk the iterator protocol).
  const out = allocate(dtype, data.length);
  out.set(data);
  return new Tensor(out, shape, dtype);
}
