/** Helpers shared by the rule tables of every family (written in traced ops, like the rules). */
import { Tensor, zerosLike } from './tensor.ts';
import { add, cast, div, equal, mul, sub, sum } from './ops.ts';
import { bind, sumToShape } from './trace.ts';
import { softmax } from './composed.ts';
import type { JvpRule, Prim } from './primitives.ts';

export { sumToShape };

/** The reduced shape with the reduced axes kept as size 1. */
export const keptShape = (shape: readonly number[], axes: readonly number[]): number[] => shape.map((d, i) => (axes.includes(i) ? 1 : d));

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
export const unbatch = (g: Tensor, like: Tensor): Tensor =>
  g.rank > like.rank
    ? sum(
        g,
        g.shape.slice(0, g.rank - like.rank).map((_, i) => i),
      )
    : g;

/** Sum of the non-null terms (null when all are). */
export function total(...terms: (Tensor | null)[]): Tensor | null {
  return terms.reduce<Tensor | null>((acc, t) => (t === null ? acc : acc === null ? t : add(acc, t)), null);
}

export const scaled = (t: Tensor | null, f: () => Tensor): Tensor | null => (t ? mul(t, f()) : null);

/** A linear primitive's tangent is the primitive applied to the tangents (zeros where null). */
export function linear<P extends Prim>(prim: P, differentiable: readonly number[] = [0]): JvpRule<P> {
  return (tangents, inputs, _out, params) =>
    bind(
      prim,
      inputs.map((x, i) => (differentiable.includes(i) ? (tangents[i] ?? zerosLike(x)) : x)),
      params,
    );
}

/**
 * Eigenvalues (or singular values) closer than this, relative to the largest magnitude, count as
 * tied: below the eigensolver's backward error (≈ n·ε·‖A‖) their order and difference are rounding, and 1/(λⱼ − λᵢ) would turn
 * that rounding into huge terms which only cancel analytically.
 */
export const TIE_RTOL = 1e-13;

/** True where values i and j are tied (|λᵢ − λⱼ| ≤ TIE_RTOL·max|λ|, the diagonal included): a constant. */
export function tieMask(values: Tensor): Tensor {
  const n = values.shape[0]!;
  const v = values.data;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(v[i]!));
  const tol = TIE_RTOL * scale;
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[i * n + j] = Math.abs(v[i]! - v[j]!) <= tol ? 1 : 0;
  return new Tensor(mask, [n, n], 'bool');
}
