/**
 * Reverse-mode rules: for each primitive, the cotangents of its inputs given the cotangent
 * of its output. Written in traced ops (never raw buffers), so they differentiate again.
 * `needs[i]` says whether input i wants a cotangent; rules skip the work otherwise.
 */
import { zerosLike, type Tensor } from './tensor.ts';
import type { Prim, PrimParams } from './primitives.ts';
import {
  add, broadcastTo, cast, concat, cos, div, equal, gather, greater, less, log, matmul, mul, neg, pad, reshape,
  scatterAdd, sign, sin, slice, sub, sum, transpose, where,
} from './ops.ts';
import { bind } from './trace.ts';
import { softmax } from './composed.ts';
import { choleskyVjp, eighVjp, qrVjp, solveTriangularVjp } from './linalg-rules.ts';
import { svdVjp } from './svd-rules.ts';

export type VjpRule<P extends Prim> = (
  ct: Tensor, inputs: readonly Tensor[], out: Tensor, params: PrimParams[P], needs: readonly boolean[],
) => (Tensor | null)[];

/** The reduced shape with the reduced axes kept as size 1. */
export const keptShape = (shape: readonly number[], axes: readonly number[]): number[] => shape.map((d, i) => (axes.includes(i) ? 1 : d));

/** Sum `ct` down to `shape` (the transpose of a NumPy broadcast). */
export function sumToShape(ct: Tensor, shape: readonly number[]): Tensor {
  const lead = ct.rank - shape.length;
  const axes = ct.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  return reshape(axes.length ? sum(ct, axes) : ct, shape);
}

/** Weight of `a` in maximum(a, b): 1 where it wins, ½ on ties (the symmetric subgradient). */
export function winWeight(a: Tensor, b: Tensor, wins: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return add(cast(wins(a, b), a.dtype), mul(cast(equal(a, b), a.dtype), 0.5));
}

/**
 * J·t for J the Jacobian of softmax-cross-entropy's gradient (softmax(x) − onehot)/B at `logits`:
 * per row (diag(s) − s sᵀ)/B, symmetric, so the same product serves the VJP and the JVP.
 */
export function softmaxJacobianProduct(logits: Tensor, t: Tensor): Tensor {
  const s = softmax(logits, 1);
  const st = mul(s, t);
  return div(sub(st, mul(s, sum(st, 1, { keepdims: true }))), logits.shape[0]!);
}

/** Sum a batched matmul cotangent back to an unbatched operand. */
const unbatch = (g: Tensor, like: Tensor): Tensor => (g.rank > like.rank ? sum(g, g.shape.slice(0, g.rank - like.rank).map((_, i) => i)) : g);

export const vjpRules: { [P in Prim]: VjpRule<P> } = {
  neg: (ct) => [neg(ct)],
  exp: (ct, _x, out) => [mul(ct, out)],
  log: (ct, [x]) => [div(ct, x!)],
  sin: (ct, [x]) => [mul(ct, cos(x!))],
  cos: (ct, [x]) => [neg(mul(ct, sin(x!)))],
  tanh: (ct, _x, out) => [mul(ct, sub(1, mul(out, out)))],
  sigmoid: (ct, _x, out) => [mul(ct, mul(out, sub(1, out)))],
  sqrt: (ct, _x, out) => [div(ct, mul(out, 2))],
  abs: (ct, [x]) => [mul(ct, sign(x!))],
  sign: () => [null],
  add: (ct) => [ct, ct],
  sub: (ct, _x, _o, _p, needs) => [ct, needs[1] ? neg(ct) : null],
  mul: (ct, [a, b], _o, _p, needs) => [needs[0] ? mul(ct, b!) : null, needs[1] ? mul(ct, a!) : null],
  div: (ct, [, b], out, _p, needs) => [needs[0] ? div(ct, b!) : null, needs[1] ? neg(div(mul(ct, out), b!)) : null],
  pow: (ct, [a, b], out, _p, needs) => [
    needs[0] ? mul(ct, mul(b!, bind('pow', [a!, sub(b!, 1)], {}))) : null,
    // d/db a^b = a^b·log a, taken as 0 where a ≤ 0 (where the real power has no b-derivative).
    needs[1] ? mul(ct, where(greater(a!, 0), mul(out, log(where(greater(a!, 0), a!, 1))), 0)) : null,
  ],
  maximum: (ct, [a, b]) => {
    const w = winWeight(a!, b!, greater);
    return [mul(ct, w), mul(ct, sub(1, w))];
  },
  minimum: (ct, [a, b]) => {
    const w = winWeight(a!, b!, less);
    return [mul(ct, w), mul(ct, sub(1, w))];
  },
  compare: () => [null, null],
  select: (ct, [c]) => {
    const zero = zerosLike(ct);
    return [null, where(c!, ct, zero), where(c!, zero, ct)];
  },
  // x > 0 ? y : 0 is linear in y, and piecewise constant in x (derivative 0 almost everywhere).
  maskPositive: (ct, [x]) => [null, bind('maskPositive', [x!, ct], {})],
  softmaxCrossEntropy: (ct, [logits, labels]) => [mul(ct, bind('softmaxCrossEntropyGrad', [logits!, labels!], {})), null],
  softmaxCrossEntropyGrad: (ct, [logits]) => [softmaxJacobianProduct(logits!, ct), null],
  cast: (ct, [x]) => [x!.dtype === 'float64' || x!.dtype === 'float32' ? cast(ct, x!.dtype) : null],
  sum: (ct, [x], _o, { axes }) => [broadcastTo(reshape(ct, keptShape(x!.shape, axes)), x!.shape)],
  max: (ct, [x], out, { axes }) => {
    // Split the cotangent evenly among tied maxima.
    const kept = keptShape(x!.shape, axes);
    const mask = cast(equal(x!, broadcastTo(reshape(out, kept), x!.shape)), x!.dtype);
    const share = div(ct, sum(mask, axes));
    return [mul(mask, broadcastTo(reshape(share, kept), x!.shape))];
  },
  argmax: () => [null],
  reshape: (ct, [x]) => [reshape(ct, x!.shape)],
  broadcastTo: (ct, [x]) => [sumToShape(ct, x!.shape)],
  transpose: (ct, _x, _o, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(ct, inverse)];
  },
  slice: (ct, [x], _o, { starts, ends }) => [pad(ct, starts.map((s, i) => [s, x!.shape[i]! - ends[i]!] as [number, number]))],
  pad: (ct, [x], _o, { before }) => [slice(ct, before, before.map((b, i) => b + x!.shape[i]!))],
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
  matmul: (ct, [a, b], _o, { transA, transB }, needs) => [
    needs[0]
      ? unbatch(transA ? matmul(b!, ct, { transA: transB, transB: true }) : matmul(ct, b!, { transB: !transB }), a!)
      : null,
    needs[1]
      ? unbatch(transB ? matmul(ct, a!, { transA: true, transB: transA }) : matmul(a!, ct, { transA: !transA }), b!)
      : null,
  ],
  im2col: (ct, _x, _o, { g }) => [bind('col2im', [ct], { g })],
  col2im: (ct, _x, _o, { g }) => [bind('im2col', [ct], { g, padValue: 0 })],
  qr: (ct, [a], out) => [qrVjp(ct, a!, out)],
  eigh: (ct, _x, out) => [eighVjp(ct, out)],
  svd: (ct, [a], out) => [svdVjp(ct, a!, out)],
  cholesky: (ct, _x, out) => [choleskyVjp(ct, out)],
  solveTriangular: (ct, [t], out, { lower, transpose: tr }, needs) => solveTriangularVjp(ct, t!, out, lower, tr, needs),
};
