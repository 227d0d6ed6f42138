/** Derivative rules of the layout primitives (layout-primitives.ts): VJP and JVP side by side, in traced ops. */
import { gather, pad, reshape, scatterAdd, slice, transpose } from './ops.ts';
import { linear, sumToShape } from './rule-helpers.ts';
import type { FamilyTable, LayoutParams } from './primitives.ts';

export const layoutVjp: FamilyTable<LayoutParams, 'vjp'> = {
  reshape: (ct, [x]) => [reshape(ct, x!.shape)],
  broadcastTo: (ct, [x]) => [sumToShape(ct, x!.shape)],
  transpose: (ct, _x, _o, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(ct, inverse)];
  },
  slice: (ct, [x], _o, { starts, ends }) => [
    pad(
      ct,
      starts.map((s, i) => [s, x!.shape[i]! - ends[i]!] as [number, number]),
    ),
  ],
  pad: (ct, [x], _o, { before }) => [
    slice(
      ct,
      before,
      before.map((b, i) => b + x!.shape[i]!),
    ),
  ],
  concat: (ct, xs, _o, { axis }, needs) => {
    let offset = 0;
    return xs.map((x, i) => {
      const start = offset;
      offset += x.shape[axis]!;
      if (!needs[i]) return null;
      const starts = x.shape.map((_, d) => (d === axis ? start : 0));
      const ends = ct.shape.map((d, k) => (k === axis ? start + x.shape[axis]! : d));
      return slice(ct, starts, ends);
    });
  },
  gather: (ct, [x, idx], _o, { axis }) => [scatterAdd(ct, idx!, axis, x!.shape), null],
  scatterAdd: (ct, [, idx], _o, { axis }) => [gather(ct, idx!, axis), null],
};

export const layoutJvp: FamilyTable<LayoutParams, 'jvp'> = {
  reshape: linear('reshape'),
  broadcastTo: linear('broadcastTo'),
  transpose: linear('transpose'),
  slice: linear('slice'),
  pad: linear('pad'),
  concat: (tangents, inputs, _o, params) =>
    linear(
      'concat',
      inputs.map((_, i) => i),
    )(tangents, inputs, _o, params),
  gather: linear('gather'),
  scatterAdd: linear('scatterAdd'),
};
