/**
 * The dense float64 routines through the active kernel backend when it has them (native
 * LAPACK, wasm ports), else the js reference in dense.ts. Same conventions, checks and error
 * messages either way (the Kernels contract), so callers never care which one ran.
 */
import { kernels } from '../kernels/backend.ts';
import { canonicalSvdSigns, svdJacobi, type SvdResult } from '../kernels/svd.ts';
import { cholesky as denseCholesky, eighSymmetric, qrHouseholder, solveTriangular as denseSolveTriangular } from './dense.ts';

export function qr(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const k = kernels();
  return k.qr ? k.qr(a, m, n) : qrHouseholder(a, m, n);
}

export function eigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const k = kernels();
  return k.eigh ? k.eigh(a, n) : eighSymmetric(a, n);
}

export function cholesky(a: Float64Array, n: number): Float64Array {
  const k = kernels();
  return k.cholesky ? k.cholesky(a, n) : denseCholesky(a, n);
}

export function solveTriangular(
  t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean },
): Float64Array {
  const k = kernels();
  return k.solveTriangular ? k.solveTriangular(t, b, n, nrhs, opts) : denseSolveTriangular(t, b, n, nrhs, opts);
}

/** Thin SVD (kernels/svd.ts's contract), its signs fixed here once, whichever backend ran. */
export function svd(a: Float64Array, m: number, n: number): SvdResult {
  const k = kernels();
  return canonicalSvdSigns(k.svd ? k.svd(a, m, n) : svdJacobi(a, m, n), m, n);
}
