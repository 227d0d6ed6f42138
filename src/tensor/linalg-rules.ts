/**
 * Derivative rules of the linear-algebra primitives (qr, eigh, cholesky, solveTriangular; svd's
 * in svd-rules.ts), written in traced ops so that they differentiate again. Shared by both rule
 * tables.
 *
 * References for the formulas: Murray (2016) "Differentiation of the Cholesky decomposition";
 * Walter & Lehmann / Seeger et al. (2017) for QR (m ≥ n); standard first-order perturbation
 * theory for eigh.
 *
 * eigh at repeated eigenvalues: the eigenvector derivative has a factor 1/(λⱼ − λᵢ), infinite
 * when λᵢ = λⱼ. Those (i, j) entries of F are set to 0 (a constant mask read from the computed
 * eigenvalues, so nested derivatives stay exact elsewhere). That drops exactly the rotations
 * *within* a tied eigenspace, which is undefined there. Hence the derivatives are exact for every
 * loss that does not depend on the basis chosen inside a tied eigenspace (eigenvalues, spectral
 * projectors, V f(Λ) Vᵀ, top-k sums with a gap at k), to every order; for a loss on individual
 * eigenvectors of a tied eigenspace they are finite, and are those of the convention "no vector
 * rotates within its tied eigenspace". Distinct eigenvalues are unaffected. (The tie test,
 * TIE_RTOL and tieMask, is in rule-helpers.ts: svd-rules.ts masks tied singular values with it.)
 */
import { Tensor, eye } from './tensor.ts';
import { add, concat, div, matmul, mT, mul, neg, reshape, slice, sub, sum, where } from './ops.ts';
import { bind } from './trace.ts';
import { linear, tieMask, total, unbatch } from './rule-helpers.ts';
import { svdJvp, svdVjp } from './svd-rules.ts';
import type { FamilyTable, LinalgParams } from './primitives.ts';

const tri = (n: number, lower: boolean, strict: boolean, dtype: Tensor['dtype']): Tensor => {
  const data = dtype === 'float32' ? new Float32Array(n * n) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const keep = lower ? (strict ? j < i : j <= i) : strict ? j > i : j >= i;
      if (keep) data[i * n + j] = 1;
    }
  }
  return new Tensor(data, [n, n], dtype);
};

/** X with op(T)·X = B. */
export const solveTri = (t: Tensor, b: Tensor, lower: boolean, transpose: boolean): Tensor => bind('solveTriangular', [t, b], { lower, transpose });

const sym = (a: Tensor): Tensor => mul(add(a, mT(a)), 0.5);

export function unpackQr(out: Tensor, m: number): { q: Tensor; r: Tensor } {
  return { q: slice(out, [0], [m]), r: slice(out, [m]) };
}

export function unpackEigh(out: Tensor): { values: Tensor; vectors: Tensor } {
  const n = out.shape[1]!;
  return { values: reshape(slice(out, [0], [1]), [n]), vectors: slice(out, [1]) };
}

/** F[i][j] = 1/(λ_j − λ_i) where λᵢ and λⱼ are not tied, 0 where they are (the diagonal included). */
export function inverseGaps(values: Tensor): Tensor {
  const n = values.shape[0]!;
  const gaps = sub(reshape(values, [1, n]), reshape(values, [n, 1]));
  const tied = tieMask(values);
  return where(tied, 0, div(1, where(tied, 1, gaps)));
}

// ---- QR: A = QR, Q m×n, R n×n upper with positive diagonal ----

export function qrVjp(ct: Tensor, a: Tensor, out: Tensor): Tensor {
  const [m, n] = a.shape as [number, number];
  const { q, r } = unpackQr(out, m);
  const { q: qBar, r: rBar } = unpackQr(ct, m);
  const mm = sub(matmul(r, rBar, { transB: true }), matmul(qBar, q, { transA: true }));
  // copyltu(M): the symmetric matrix with M's lower triangle.
  const lower = mul(mm, tri(n, true, true, a.dtype));
  const copyltu = add(add(lower, mT(lower)), mul(mm, eye(n, a.dtype)));
  const b = add(qBar, matmul(q, copyltu));
  // Ā = B·R⁻ᵀ, i.e. Āᵀ = R⁻¹·Bᵀ.
  return mT(solveTri(r, mT(b), false, false));
}

export function qrJvp(t: Tensor, a: Tensor, out: Tensor): Tensor {
  const [m, n] = a.shape as [number, number];
  const { q, r } = unpackQr(out, m);
  // dA·R⁻¹ via (R⁻ᵀ·dAᵀ)ᵀ.
  const dARinv = mT(solveTri(r, mT(t), false, true));
  const c = matmul(q, dARinv, { transA: true });
  const lowerC = mul(c, tri(n, true, true, a.dtype));
  const omega = sub(lowerC, mT(lowerC));
  const dR = matmul(sub(c, omega), r);
  const dQ = add(sub(dARinv, matmul(q, c)), matmul(q, omega));
  return concat([dQ, dR], 0);
}

// ---- eigh of the symmetric part: A_s = V diag(λ) Vᵀ ----

export function eighVjp(ct: Tensor, out: Tensor): Tensor {
  const { values, vectors: v } = unpackEigh(out);
  const { values: lBar, vectors: vBar } = unpackEigh(ct);
  const n = values.shape[0]!;
  const inner = add(mul(eye(n, out.dtype), reshape(lBar, [1, n])), mul(inverseGaps(values), matmul(v, vBar, { transA: true })));
  return sym(matmul(matmul(v, inner), v, { transB: true }));
}

export function eighJvp(t: Tensor, out: Tensor): Tensor {
  const { values, vectors: v } = unpackEigh(out);
  const n = values.shape[0]!;
  const p = matmul(matmul(v, sym(t), { transA: true }), v);
  const dValues = sum(mul(p, eye(n, p.dtype)), 0, { keepdims: true });
  const dVectors = matmul(v, mul(inverseGaps(values), p));
  return concat([dValues, dVectors], 0);
}

// ---- Cholesky of the symmetric part: A_s = L Lᵀ ----

/** Φ(X): lower triangle with the diagonal halved. */
const phi = (x: Tensor): Tensor => {
  const n = x.shape[0]!;
  return mul(x, add(tri(n, true, true, x.dtype), mul(eye(n, x.dtype), 0.5)));
};

export function choleskyVjp(ct: Tensor, out: Tensor): Tensor {
  // Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹): Murray's rule for the symmetric (not lower-only) input convention.
  const p = phi(matmul(out, ct, { transA: true }));
  const left = solveTri(out, p, true, true); // L⁻ᵀ P
  const s = mT(solveTri(out, mT(left), true, true)); // (L⁻ᵀ (L⁻ᵀ P)ᵀ)ᵀ = L⁻ᵀ P L⁻¹
  return sym(s);
}

export function choleskyJvp(t: Tensor, out: Tensor): Tensor {
  // dL = L Φ(L⁻¹ dA_s L⁻ᵀ).
  const x = solveTri(out, sym(t), true, false); // L⁻¹ dA
  const y = mT(solveTri(out, mT(x), true, false)); // L⁻¹ dA L⁻ᵀ
  return matmul(out, phi(y));
}

// ---- triangular solve: X = op(T)⁻¹ B ----

export function solveTriangularVjp(ct: Tensor, t: Tensor, out: Tensor, lower: boolean, transpose: boolean, needs: readonly boolean[]): (Tensor | null)[] {
  const bBar = solveTri(t, ct, lower, !transpose);
  if (!needs[0]) return [null, bBar];
  const n = t.shape[0]!;
  const full = transpose ? matmul(out, bBar, { transB: true }) : matmul(bBar, out, { transB: true });
  return [neg(mul(full, tri(n, lower, false, t.dtype))), bBar];
}

export function solveTriangularJvp(tT: Tensor | null, tB: Tensor | null, t: Tensor, out: Tensor, lower: boolean, transpose: boolean): Tensor {
  let rhs = tB;
  if (tT) {
    // Only T's triangle is read, so only that part of its tangent matters.
    const dT = mul(tT, tri(t.shape[0]!, lower, false, t.dtype));
    const dOpT = matmul(dT, out, { transA: transpose });
    rhs = rhs ? sub(rhs, dOpT) : neg(dOpT);
  }
  return solveTri(t, rhs!, lower, transpose);
}

/** The linalg family's rule tables (linalg-primitives.ts). */
export const linalgVjp: FamilyTable<LinalgParams, 'vjp'> = {
  matmul: (ct, [a, b], _o, { transA, transB }, needs) => [
    needs[0] ? unbatch(transA ? matmul(b!, ct, { transA: transB, transB: true }) : matmul(ct, b!, { transB: !transB }), a!) : null,
    needs[1] ? unbatch(transB ? matmul(ct, a!, { transA: true, transB: transA }) : matmul(a!, ct, { transA: !transA }), b!) : null,
  ],
  im2col: (ct, _x, _o, { g }) => [bind('col2im', [ct], { g })],
  col2im: (ct, _x, _o, { g }) => [bind('im2col', [ct], { g, padValue: 0 })],
  qr: (ct, [a], out) => [qrVjp(ct, a!, out)],
  eigh: (ct, _x, out) => [eighVjp(ct, out)],
  svd: (ct, [a], out) => [svdVjp(ct, a!, out)],
  cholesky: (ct, _x, out) => [choleskyVjp(ct, out)],
  solveTriangular: (ct, [t], out, { lower, transpose: tr }, needs) => solveTriangularVjp(ct, t!, out, lower, tr, needs),
};

export const linalgJvp: FamilyTable<LinalgParams, 'jvp'> = {
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
