/**
 * Forward-mode rules: for each primitive, the tangent of its output given the tangents of
 * its inputs (null = zero). Written in traced ops, so they nest with every other transform.
 */
import { zerosLike, type Tensor } from './tensor.ts';
import type { Prim, PrimParams } from './primitives.ts';
import { add, cast, cos, div, equal, greater, less, log, mul, neg, sign, sin, sub, sum, where, broadcastTo, reshape } from './ops.ts';
import { bind } from './trace.ts';
import { choleskyJvp, eighJvp, qrJvp, solveTriangularJvp } from './linalg-rules.ts';
import { svdJvp } from './svd-rules.ts';
import { keptShape, softmaxJacobianProduct, winWeight } from './vjp-rules.ts';

export type JvpRule<P extends Prim> = (
  tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, params: PrimParams[P],
) => Tensor | null;

/** Sum of the non-null terms (null when all are). */
function total(...terms: (Tensor | null)[]): Tensor | null {
  return terms.reduce<Tensor | null>((acc, t) => (t === null ? acc : acc === null ? t : add(acc, t)), null);
}

const scaled = (t: Tensor | null, f: () => Tensor): Tensor | null => (t ? mul(t, f()) : null);

/** A linear primitive's tangent is the primitive applied to the tangents (zeros where null). */
function linear<P extends Prim>(prim: P, differentiable: readonly number[] = [0]): JvpRule<P> {
  return (tangents, inputs, _out, params) =>
    bind(prim, inputs.map((x, i) => (differentiable.includes(i) ? tangents[i] ?? zerosLike(x) : x)), params);
}

export const jvpRules: { [P in Prim]: JvpRule<P> } = {
  neg: ([t]) => neg(t!),
  exp: ([t], _x, out) => mul(t!, out),
  log: ([t], [x]) => div(t!, x!),
  sin: ([t], [x]) => mul(t!, cos(x!)),
  cos: ([t], [x]) => neg(mul(t!, sin(x!))),
  tanh: ([t], _x, out) => mul(t!, sub(1, mul(out, out))),
  sigmoid: ([t], _x, out) => mul(t!, mul(out, sub(1, out))),
  sqrt: ([t], _x, out) => div(t!, mul(out, 2)),
  abs: ([t], [x]) => mul(t!, sign(x!)),
  sign: () => null,
  add: ([ta, tb]) => total(ta!, tb!),
  sub: ([ta, tb]) => total(ta!, tb ? neg(tb) : null),
  mul: ([ta, tb], [a, b]) => total(scaled(ta!, () => b!), scaled(tb!, () => a!)),
  div: ([ta, tb], [, b], out) => total(ta ? div(ta, b!) : null, tb ? neg(div(mul(tb, out), b!)) : null),
  pow: ([ta, tb], [a, b], out) => total(
    scaled(ta!, () => mul(b!, bind('pow', [a!, sub(b!, 1)], {}))),
    scaled(tb!, () => where(greater(a!, 0), mul(out, log(where(greater(a!, 0), a!, 1))), 0)),
  ),
  maximum: ([ta, tb], [a, b]) => {
    const w = winWeight(a!, b!, greater);
    return total(scaled(ta!, () => w), scaled(tb!, () => sub(1, w)));
  },
  minimum: ([ta, tb], [a, b]) => {
    const w = winWeight(a!, b!, less);
    return total(scaled(ta!, () => w), scaled(tb!, () => sub(1, w)));
  },
  compare: () => null,
  select: ([, ta, tb], [c, a]) => where(c!, ta ?? zerosLike(a!), tb ?? zerosLike(a!)),
  maskPositive: ([, t], [x]) => (t ? bind('maskPositive', [x!, t], {}) : null),
  softmaxCrossEntropy: ([t], [logits, labels]) => sum(mul(t!, bind('softmaxCrossEntropyGrad', [logits!, labels!], {}))),
  softmaxCrossEntropyGrad: ([t], [logits]) => softmaxJacobianProduct(logits!, t!),
  cast: ([t], _x, _o, { dtype }) => (dtype === 'float64' || dtype === 'float32' ? cast(t!, dtype) : null),
  sum: linear('sum'),
  max: ([t], [x], out, { axes }) => {
    const kept = keptShape(x!.shape, axes);
    const mask = cast(equal(x!, broadcastTo(reshape(out, kept), x!.shape)), x!.dtype);
    return div(sum(mul(t!, mask), axes), sum(mask, axes));
  },
  argmax: () => null,
  reshape: linear('reshape'),
  broadcastTo: linear('broadcastTo'),
  transpose: linear('transpose'),
  slice: linear('slice'),
  pad: linear('pad'),
  concat: (tangents, inputs, _o, params) => linear('concat', inputs.map((_, i) => i))(tangents, inputs, _o, params),
  gather: linear('gather'),
  scatterAdd: linear('scatterAdd'),
  matmul: ([ta, tb], [a, b], _o, flags) => total(ta ? bind('matmul', [ta, b!], flags) : null, tb ? bind('matmul', [a!, tb], flags) : null),
  // Padding positions are constants: their tangent is 0 whatever the pad value.
  im2col: ([t], _x, _o, { g }) => bind('im2col', [t!], { g, padValue: 0 }),
  col2im: linear('col2im'),
  qr: ([t], [a], out) => qrJvp(t!, a!, out),
  eigh: ([t], _x, out) => eighJvp(t!, out),
  svd: ([t], [a], out) => svdJvp(t!, a!, out),
  cholesky: ([t], _x, out) => choleskyJvp(t!, out),
  solveTriangular: ([tT, tB], [t], out, { lower, transpose }) => solveTriangularJvp(tT ?? null, tB ?? null, t!, out, lower, transpose),
};
