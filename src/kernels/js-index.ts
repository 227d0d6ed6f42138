/** Row-major index geometry shared by the js reduce and layout kernels. */
import { sizeOf } from './kernels.ts';

export { sizeOf, stridesOf } from './kernels.ts';

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
