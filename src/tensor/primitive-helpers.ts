/** Shape and conversion helpers shared by the primitive families. */
import type { DType } from './dtype.ts';
import { allocateOutput as allocate } from './arena.ts';
import { sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';

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
