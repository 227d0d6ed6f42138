/**
 * Layout primitives: reshape, broadcast, transpose, slice, pad, concat, gather/scatter. Shapes,
 * strides and index checks here, the copies in the kernels (src/kernels/). Rules: layout-rules.ts.
 */
import { allocateOutput as allocate } from './arena.ts';
import type { TypedArray } from './dtype.ts';
import { fmt, sizeOf, stridesOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import { around } from './primitive-helpers.ts';
import type { FamilyTable, LayoutParams } from './primitives.ts';

function gatherCopy(x: Tensor, outShape: readonly number[], srcStride: readonly number[], base = 0): Tensor {
  const out = allocate(x.dtype, sizeOf(outShape));
  kernels().gatherStrided(x.data, out, outShape, srcStride, base);
  return new Tensor(out, outShape, x.dtype);
}

/** Throws on the first index outside [0, len), in order. */
function checkIndices(ids: TypedArray, len: number, describe: (j: number) => string): void {
  for (let k = 0; k < ids.length; k++) {
    const j = ids[k]!;
    if (j < 0 || j >= len) throw new Error(describe(j));
  }
}

export const layoutImpls: FamilyTable<LayoutParams, 'impl'> = {
  // Tensors are immutable, so a reshape can share its data.
  reshape: ([x], { shape }) => new Tensor(x!.data, shape, x!.dtype),
  broadcastTo: ([x], { shape }) => {
    const src = x!.shape;
    const off = shape.length - src.length;
    // Fast path: only new or size-1 leading axes, e.g. a bias [n] → [batch, n]: repeat the block.
    const firstKept = src.findIndex((d) => d !== 1);
    if (firstKept === -1 || src.slice(firstKept).every((d, i) => d === shape[off + firstKept + i])) {
      const out = allocate(x!.dtype, sizeOf(shape));
      kernels().tile(x!.data, out);
      return new Tensor(out, shape, x!.dtype);
    }
    const srcStrides = stridesOf(src);
    const stride = shape.map((_, i) => (i < off || src[i - off] === 1 ? 0 : srcStrides[i - off]!));
    return gatherCopy(x!, shape, stride);
  },
  transpose: ([x], { perm }) => {
    const shape = x!.shape;
    if (perm.length === 2) {
      // Matrix transpose: the common case, without an index map.
      const [r, c] = shape as [number, number];
      const out = allocate(x!.dtype, x!.size);
      kernels().transpose2d(x!.data, out, r, c);
      return new Tensor(out, [c, r], x!.dtype);
    }
    const s = stridesOf(shape);
    return gatherCopy(
      x!,
      perm.map((p) => shape[p]!),
      perm.map((p) => s[p]!),
    );
  },
  slice: ([x], { starts, ends }) => {
    const s = stridesOf(x!.shape);
    const base = starts.reduce((acc, st, i) => acc + st * s[i]!, 0);
    return gatherCopy(
      x!,
      starts.map((st, i) => ends[i]! - st),
      s,
      base,
    );
  },
  pad: ([x], { before, after }) => {
    const shape = x!.shape.map((d, i) => d + before[i]! + after[i]!);
    const outStrides = stridesOf(shape);
    const base = before.reduce((acc, b, i) => acc + b * outStrides[i]!, 0);
    // Zeroed: the kernel writes only the interior.
    const out = allocate(x!.dtype, sizeOf(shape));
    kernels().scatterStrided(x!.data, out, x!.shape, outStrides, base);
    return new Tensor(out, shape, x!.dtype);
  },
  concat: (xs, { axis }) => {
    const first = xs[0]!;
    const lens = xs.map((t) => t.shape[axis]!);
    const total = lens.reduce((acc, l) => acc + l, 0);
    const shape = first.shape.map((d, i) => (i === axis ? total : d));
    const [outer, , inner] = around(shape, axis);
    const out = allocate(first.dtype, sizeOf(shape));
    kernels().concat(
      xs.map((t) => t.data),
      lens,
      outer,
      inner,
      out,
    );
    return new Tensor(out, shape, first.dtype);
  },
  gather: ([x, idx], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    const ids = idx!.data;
    checkIndices(ids, len, (j) => `gather: index ${j} is out of range for axis ${axis} of size ${len} (shape ${fmt(x!.shape)})`);
    const out = allocate(x!.dtype, outer * ids.length * inner);
    kernels().gatherAxis(x!.data, ids, outer, len, inner, out);
    const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    return new Tensor(out, shape, x!.dtype);
  },
  scatterAdd: ([u, idx], { axis, shape }) => {
    const [outer, len, inner] = around(shape, axis);
    const ids = idx!.data;
    // The copy loop used to check as it went, so nothing was checked when there is nothing to copy (outer = 0).
    if (outer > 0) checkIndices(ids, len, (j) => `scatterAdd: index ${j} is out of range for axis ${axis} of size ${len}`);
    // Zeroed: the kernel accumulates into it.
    const out = allocate(u!.dtype, sizeOf(shape));
    kernels().scatterAddAxis(u!.data, ids, outer, len, inner, out);
    return new Tensor(out, shape, u!.dtype);
  },
};
