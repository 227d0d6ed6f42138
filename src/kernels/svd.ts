/**
 * Thin singular value decomposition, the js reference: A (m×n, row-major) = U·diag(s)·Vᵀ with
 * k = min(m, n), U m×k and V n×k (row-major, singular vectors as columns), s descending.
 *
 * One-sided Jacobi (Hestenes), preconditioned: rotate pairs of columns of A·V₀ until all are
 * orthogonal; the column norms are then the singular values, the normalized columns U, V₀ times
 * the rotations V. V₀, the eigenvectors of the Gram matrix AᵀA (one GEMM and one eigh, both
 * through the backend), is already nearly the answer: the Jacobi sweeps then only polish (2–3
 * sweeps, a few hundred rotations at 256×256, instead of ~13 sweeps and 250 000 rotations from
 * V₀ = I), and they restore the full accuracy that squaring A lost. Singular values are
 * accurate to ≈ ε·‖A‖ (like LAPACK's), vectors orthonormal to ≈ ε. src/kernels/wasm/svd.c ports
 * the sweeps loop for loop (dot products in two lanes, as here). Signs are left as the iteration
 * leaves them: `canonicalSvdSigns` (kernels.ts) fixes them, once, in the svd primitive.
 *
 * The GEMM and eigh come in as plain functions (`SvdOps`): js.ts passes its own and wasm.ts its
 * own, so this file imports no backend (js.ts imports it).
 */
import type { Kernels, SvdResult } from './kernels.ts';

const EPS = 2.220446049250313e-16;
/** A sweep budget no convergent input comes near (quadratic convergence: ~6–10 sweeps). */
export const SVD_MAX_SWEEPS = 60;

/** The argument checks every backend runs first (same messages whichever one computes). */
export function checkSvdArgs(a: Float64Array, m: number, n: number): void {
  for (const [name, value] of [
    ['m', m],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`svd: ${name} must be a non-negative integer, got ${value}`);
  }
  if (a.length !== m * n) throw new Error(`svd: a has length ${a.length}, expected ${m * n} (m=${m}, n=${n})`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`svd: a contains a non-finite value (${a[i]}) at index ${i}`);
  }
}

/** Σ x[xo+i]·y[yo+i] over i < len in two lanes (even and odd i), then their sum: wasm's f64x2 order. */
function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    s0 += x[xo + i]! * y[yo + i]!;
    s1 += x[xo + i + 1]! * y[yo + i + 1]!;
  }
  if (i < len) s0 += x[xo + i]! * y[yo + i]!;
  return s0 + s1;
}

/** Rows j and k of x (length len, stride len): [xj, xk] ← [c·xj − s·xk, s·xj + c·xk]. */
function rotate(x: Float64Array, j: number, k: number, len: number, c: number, s: number): void {
  const oj = j * len;
  const ok = k * len;
  for (let i = 0; i < len; i++) {
    const a = x[oj + i]!;
    const b = x[ok + i]!;
    x[oj + i] = c * a - s * b;
    x[ok + i] = s * a + c * b;
  }
}

/**
 * One-sided Jacobi on the rows of w (cols×rows: row j is column j of the tall matrix, rows ≥ cols),
 * accumulating the rotations in the rows of vt (cols×cols, starts as I), both in place. Returns
 * the sweeps used (0: no convergence in SVD_MAX_SWEEPS). wasm/svd.c's svd_jacobi_f64 is this loop.
 */
export type JacobiSweeps = (w: Float64Array, vt: Float64Array, rows: number, cols: number) => number;

export const jacobiSweeps: JacobiSweeps = (w, vt, rows, cols) => {
  const norms = new Float64Array(cols);
  const tol = EPS * Math.max(rows, 1);
  for (let sweep = 1; sweep <= SVD_MAX_SWEEPS; sweep++) {
    // Fresh norms every sweep; within it they are updated by the exact-arithmetic identities.
    for (let j = 0; j < cols; j++) norms[j] = dot(w, j * rows, w, j * rows, rows);
    let rotated = false;
    for (let j = 0; j < cols - 1; j++) {
      for (let k = j + 1; k < cols; k++) {
        const alpha = norms[j]!;
        const beta = norms[k]!;
        if (alpha === 0 || beta === 0) continue;
        const gamma = dot(w, j * rows, w, k * rows, rows);
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        rotated = true;
        // The rotation that zeroes the (j, k) entry of the 2×2 Gram matrix [[α, γ], [γ, β]].
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(w, j, k, rows, c, s);
        rotate(vt, j, k, cols, c, s);
        norms[j] = alpha - t * gamma;
        norms[k] = beta + t * gamma;
      }
    }
    if (!rotated) return sweep;
  }
  return 0;
};

/**
 * Replaces column j of u (m×k, row-major) by a unit vector orthogonal to columns `others`: the
 * standard basis vector with the largest residual, orthogonalized twice (Gram–Schmidt).
 */
function completeColumn(u: Float64Array, m: number, k: number, j: number, others: readonly number[]): void {
  const residual = (e: number): Float64Array => {
    const r = new Float64Array(m);
    r[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const o of others) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i * k + o]! * r[i]!;
        for (let i = 0; i < m; i++) r[i]! -= d * u[i * k + o]!;
      }
    }
    return r;
  };
  let best = residual(0);
  let bestNorm = Math.sqrt(dot(best, 0, best, 0, m));
  for (let e = 1; e < m; e++) {
    const r = residual(e);
    const nr = Math.sqrt(dot(r, 0, r, 0, m));
    if (nr > bestNorm) [best, bestNorm] = [r, nr];
  }
  for (let i = 0; i < m; i++) u[i * k + j] = best[i]! / bestNorm;
}

/** The heavy steps, from the backend that runs the SVD (the wasm one passes its own). */
export interface SvdOps {
  gemm: Kernels['gemm'];
  eigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array };
  sweeps: JacobiSweeps;
}

/** Thin SVD of the row-major m×n `a` (any orientation) with the given GEMM and eigh; see the file comment. */
export function svdJacobi(a: Float64Array, m: number, n: number, ops: SvdOps): SvdResult {
  checkSvdArgs(a, m, n);
  const k = Math.min(m, n);
  if (k === 0) return { u: new Float64Array(m * k), s: new Float64Array(0), v: new Float64Array(n * k) };
  // Work on the tall orientation: rows ≥ cols. w's row j is column j of the tall matrix (A, or Aᵀ
  // when m < n), scaled by 1/max|a| so that squared norms cannot overflow or underflow.
  const tall = m >= n;
  const rows = tall ? m : n;
  const cols = k;
  let big = 0;
  for (let i = 0; i < a.length; i++) big = Math.max(big, Math.abs(a[i]!));
  const w = new Float64Array(rows * cols);
  const vt = new Float64Array(cols * cols);
  if (big > 0) {
    const inv = 1 / big;
    // x = the tall matrix, transposed (cols×rows): Aᵀ for a tall A, A itself for a wide one.
    const x = new Float64Array(rows * cols);
    if (tall) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[j * m + i] = a[i * n + j]! * inv;
    else for (let i = 0; i < a.length; i++) x[i] = a[i]! * inv;
    // V₀ from the Gram matrix xxᵀ; then w = V₀ᵀ·x (row j: the tall matrix times v₀ⱼ) and vt = V₀ᵀ.
    const gram = new Float64Array(cols * cols);
    const args = { batch: 1, aBatchStride: 0, bBatchStride: 0 };
    ops.gemm(x, x, gram, { ...args, m: cols, n: cols, k: rows, transA: false, transB: true });
    const v0 = ops.eigh(gram, cols).vectors;
    ops.gemm(v0, x, w, { ...args, m: cols, n: rows, k: cols, transA: true, transB: false });
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) vt[j * cols + i] = v0[i * cols + j]!;
    if (ops.sweeps(w, vt, rows, cols) === 0) {
      throw new Error(`svd: Jacobi iteration did not converge in ${SVD_MAX_SWEEPS} sweeps (m=${m}, n=${n})`);
    }
  } else {
    for (let j = 0; j < cols; j++) vt[j * cols + j] = 1;
  }
  // Singular values, descending (stable: equal values keep their column order).
  const sv = Float64Array.from({ length: cols }, (_, j) => Math.sqrt(dot(w, j * rows, w, j * rows, rows)));
  const order = Array.from({ length: cols }, (_, j) => j).sort((p, q) => sv[q]! - sv[p]! || p - q);
  const s = new Float64Array(k);
  const left = new Float64Array(rows * k); // the tall matrix's left vectors, rows×k
  const right = new Float64Array(cols * k); // its right vectors, cols×k
  const zero: number[] = [];
  order.forEach((j, c) => {
    const sj = sv[j]!;
    s[c] = sj * big;
    if (sj === 0) zero.push(c);
    else for (let i = 0; i < rows; i++) left[i * k + c] = w[j * rows + i]! / sj;
    for (let i = 0; i < cols; i++) right[i * k + c] = vt[j * cols + i]!;
  });
  // An exactly zero column has no direction: complete the left vectors to an orthonormal set.
  const filled = Array.from({ length: k }, (_, o) => o).filter((o) => !zero.includes(o));
  for (const c of zero) {
    completeColumn(left, rows, k, c, filled);
    filled.push(c);
  }
  return tall ? { u: left, s, v: right } : { u: right, s, v: left };
}
