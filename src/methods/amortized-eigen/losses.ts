/**
 * Eigen losses over QR-parametrized vectors (paper §3, trace inequalities). All are minimized and
 * take W (not U) so that their gradient reaches W through the QR rule.
 *  - Brockett ℓ_B(W) = −tr(M UᵀAU) = −Σᵢ mᵢ uᵢᵀAuᵢ, m₁ > … > m_k > 0: optimum U = [v₁ … v_k] in
 *    order (von Neumann), up to column signs, when λ₁ > … > λ_{k+1}.
 *  - convex trace ℓ_f(W) = −Σᵢ f(uᵢᵀAuᵢ), f strictly convex increasing: optimum at eigenvectors of
 *    the top-k eigenvalues (Schur–Horn) in no particular order; sort by Rayleigh quotient after.
 *  - SVD Brockett ℓ(W_u, W_v) = −tr(M UᵀXV): optimum at the top-k singular pairs, in order.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { exp, mul, neg, sum } from '../../tensor/ops.ts';
import { bilinearDiagonal, orthonormalBasis, rayleighQuotients } from './basis.ts';

/** M = diag(k, k−1, …, 1) as a vector (the default; Adam makes the overall scale irrelevant). */
export function brockettWeights(k: number): Tensor {
  const m = new Float64Array(k);
  for (let i = 0; i < k; i++) m[i] = k - i;
  return new Tensor(m, [k], 'float64');
}

export function brockettLoss(w: Tensor, a: Tensor, m: Tensor): Tensor {
  return neg(sum(mul(m, rayleighQuotients(orthonormalBasis(w), a))));
}

/** f for the convex trace loss: exp by default (convex and increasing on all of ℝ; A is pre-scaled by the tracker). */
export type ConvexFn = (d: Tensor) => Tensor;
export const defaultConvexFn: ConvexFn = exp;

export function convexTraceLoss(w: Tensor, a: Tensor, f: ConvexFn = defaultConvexFn): Tensor {
  return neg(sum(f(rayleighQuotients(orthonormalBasis(w), a))));
}

export function svdBrockettLoss(wu: Tensor, wv: Tensor, x: Tensor, m: Tensor): Tensor {
  return neg(sum(mul(m, bilinearDiagonal(orthonormalBasis(wu), x, orthonormalBasis(wv)))));
}
