/**
 * Derivative rules of the thin SVD A = U·diag(s)·Vᵀ (A m×n, k = min(m, n)), written in traced
 * ops so that they differentiate again. Formulas: Townsend (2016) "Differentiating the singular
 * value decomposition", real case, with the extra (I − UUᵀ), (I − VVᵀ) terms of a non-square A.
 * With F_ij = 1/(s_j² − s_i²) (0 on the diagonal) and P = Uᵀ·dA·V:
 *   ds = diag(P)
 *   dU = U (F∘(P S + S Pᵀ)) + (I − UUᵀ) dA V S⁻¹
 *   dV = V (F∘(S P + Pᵀ S)) + (I − VVᵀ) dAᵀ U S⁻¹
 *   Ā  = U [(F∘(J − Jᵀ)) S + diag(s̄) + S (F∘(K − Kᵀ))] Vᵀ
 *        + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ),   J = UᵀŪ, K = VᵀV̄.
 * Exact for distinct, non-zero singular values. As for eigh (linalg-rules.ts), F is masked where
 * singular values tie and S⁻¹ where one is zero (constant masks read from s): the derivatives of
 * losses on the singular values alone (nuclear norm, …) stay exact there; those of singular
 * vectors of tied or zero singular values are finite but conventional.
 */
import { Tensor, eye } from './tensor.ts';
import { add, concat, div, matmul, mT, mul, reshape, slice, sub, sum, where } from './ops.ts';
import { TIE_RTOL, tieMask } from './rule-helpers.ts';

export function unpackSvd(out: Tensor, m: number): { u: Tensor; s: Tensor; v: Tensor } {
  const k = out.shape[1]!;
  return { u: slice(out, [0], [m]), s: reshape(slice(out, [m], [m + 1]), [k]), v: slice(out, [m + 1]) };
}

/** F_ij = 1/(s_j² − s_i²), 0 where s_i and s_j tie (the diagonal included). */
function inverseSquareGaps(s: Tensor): Tensor {
  const k = s.shape[0]!;
  const sq = mul(s, s);
  const tied = tieMask(s);
  return where(tied, 0, div(1, where(tied, 1, sub(reshape(sq, [1, k]), reshape(sq, [k, 1])))));
}

/** 1/s as a row [1, k], 0 where s is zero (≤ TIE_RTOL·max s). */
function inverseValues(s: Tensor): Tensor {
  const k = s.shape[0]!;
  let big = 0;
  for (let i = 0; i < k; i++) big = Math.max(big, s.data[i]!);
  const zero = new Uint8Array(k).map((_, i) => (s.data[i]! <= TIE_RTOL * big ? 1 : 0));
  const isZero = new Tensor(zero, [1, k], 'bool');
  return where(isZero, 0, div(1, where(isZero, 1, reshape(s, [1, k]))));
}

export function svdVjp(ct: Tensor, a: Tensor, out: Tensor): Tensor {
  const m = a.shape[0]!;
  const { u, s, v } = unpackSvd(out, m);
  const { u: uBar, s: sBar, v: vBar } = unpackSvd(ct, m);
  const k = s.shape[0]!;
  const f = inverseSquareGaps(s);
  const sRow = reshape(s, [1, k]);
  const sCol = reshape(s, [k, 1]);
  const sInv = inverseValues(s);
  const j = matmul(u, uBar, { transA: true });
  const kk = matmul(v, vBar, { transA: true });
  const inner = add(add(mul(mul(f, sub(j, mT(j))), sRow), mul(eye(k, a.dtype), reshape(sBar, [1, k]))), mul(sCol, mul(f, sub(kk, mT(kk)))));
  // U·inner·Vᵀ + (Ū − U·J)·S⁻¹·Vᵀ + U·S⁻¹·(V̄ − V·K)ᵀ, grouped as U·(…)·Vᵀ plus the two projections.
  const core = matmul(matmul(u, inner), v, { transB: true });
  const left = matmul(mul(sub(uBar, matmul(u, j)), sInv), v, { transB: true });
  const right = matmul(mul(u, sInv), sub(vBar, matmul(v, kk)), { transB: true });
  return add(add(core, left), right);
}

export function svdJvp(t: Tensor, a: Tensor, out: Tensor): Tensor {
  const m = a.shape[0]!;
  const { u, s, v } = unpackSvd(out, m);
  const k = s.shape[0]!;
  const f = inverseSquareGaps(s);
  const sRow = reshape(s, [1, k]);
  const sCol = reshape(s, [k, 1]);
  const sInv = inverseValues(s);
  const tv = matmul(t, v); // dA·V, m×k
  const tu = matmul(t, u, { transA: true }); // dAᵀ·U, n×k
  const p = matmul(u, tv, { transA: true }); // Uᵀ·dA·V
  const ds = sum(mul(p, eye(k, p.dtype)), 0, { keepdims: true });
  const pt = mT(p);
  const du = add(matmul(u, mul(f, add(mul(p, sRow), mul(sCol, pt)))), mul(sub(tv, matmul(u, p)), sInv));
  const dv = add(matmul(v, mul(f, add(mul(sCol, p), mul(pt, sRow)))), mul(sub(tu, matmul(v, pt)), sInv));
  return concat([du, ds, dv], 0);
}
