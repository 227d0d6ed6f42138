/** Layout primitives: reshape, broadcast, transpose, slice, pad, concat, gather/scatter. Rules: layout-rules.ts. */
import { allocateOutput as allocate } from './arena.ts';
import { fmt, sizeOf, stridesOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { around, stridedIndex } from './primitive-helpers.ts';
import type { FamilyTable, LayoutParams } from './primitives.ts';

function gatherCopy(x: Tensor, outShape: readonly number[], srcStride: readonly number[], base = 0): Tensor {
  const map = stridedIndex(outShape, srcStride);
  const out = allocate(x.dtype, map.length);
  const a = x.data;
  for (let i = 0; i < map.length; i++) out[i] = a[base + map[i]!]!;
  return new Tensor(out, outShape, x.dtype);
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
      const block = x!.data;
      const out = allocate(x!.dtype, sizeOf(shape));
      if (block.length === 1) out.fill(block[0]!);
      else for (let o = 0; o < out.length; o += block.length) out.set(block, o);
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
      const a = x!.data;
      const out = allocate(x!.dtype, a.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
      return new Tensor(out, [c, r], x!.dtype);
    }
    const s = stridesOf(shape);
    return gatherCopy(x!, perm.map((p) => shape[p]!), perm.map((p) => s[p]!));
  },
  slice: ([x], { starts, ends }) => {
    const s = stridesOf(x!.shape);
    const base = starts.reduce((acc, st, i) => acc + st * s[i]!, 0);
    return gatherCopy(x!, starts.map((st, i) => ends[i]! - st), s, base);
  },
  pad: ([x], { before, after }) => {
    const shape = x!.shape.map((d, i) => d + before[i]! + after[i]!);
    const outStrides = stridesOf(shape);
    const map = stridedIndex(x!.shape, outStrides);
    const base = before.reduce((acc, b, i) => acc + b * outStrides[i]!, 0);
    const out = allocate(x!.dtype, sizeOf(shape));
    const a = x!.data;
    for (let i = 0; i < a.length; i++) out[base + map[i]!] = a[i]!;
    return new Tensor(out, shape, x!.dtype);
  },
  concat: (xs, { axis }) => {
    const first = xs[0]!;
    const total = xs.reduce((acc, t) => acc + t.shape[axis]!, 0);
    const shape = first.shape.map((d, i) => (i === axis ? total : d));
    const [outer, , inner] = around(shape, axis);
    const out = allocate(first.dtype, sizeOf(shape));
    let offset = 0;
    for (const t of xs) {
      const chunk = t.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * total * inner + offset);
      offset += chunk;
    }
    return new Tensor(out, shape, first.dtype);
  },
  gather: ([x, idx], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    const ids = idx!.data;
    const out = allocate(x!.dtype, outer * ids.length * inner);
    const a = x!.data;
    for (let k = 0; k < ids.length; k++) {
      const j = ids[k]!;
      if (j < 0 || j >= len) throw new Error(`gather: index ${j} is out of range for axis ${axis} of size ${len} (shape ${fmt(x!.shape)})`);
    }
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < ids.length; k++) {
        const src = (o * len + ids[k]!) * inner;
        out.set(a.subarray(src, src + inner), (o * ids.length + k) * inner);
      }
    }
    const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    return new Tensor(out, shape, x!.dtype);
  },
  scatterAdd: ([u, idx], { axis, shape }) => {
    const [outer, len, inner] = around(shape, axis);
    const ids = idx!.data;
    const out = allocate(u!.dtype, sizeOf(shape));
    const a = u!.data;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < ids.length; k++) {
        const j = ids[k]!;
        if (j < 0 || j >= len) throw new Error(`scatterAdd: index ${j} is out of range for axis ${axis} of size ${len}`);
        const dst = (o * len + j) * inner;
        const src = (o * ids.length + k) * inner;
        for (let i = 0; i < inner; i++) out[dst + i]! += a[src + i]!;
      }
    }
    return new Tensor(out, shape, u!.dtype);
  },
};
