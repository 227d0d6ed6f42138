/**
 * Input checks shared by the eigen and SVD trackers: one-line errors that name the tracker, so a
 * bad matrix built deep inside a training step is traced back to the tracker that received it.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { isFloat } from '../../tensor/dtype.ts';
import { fmt } from '../../tensor/shape.ts';

/** Relative asymmetry tolerated (rounding of A = BᵀB or (B + Bᵀ)/2 stays far below it). */
export const SYMMETRY_TOL = 1e-8;

export function checkRank(who: string, n: number, k: number, what = 'n'): void {
  if (!Number.isInteger(k) || k <= 0) throw new Error(`${who}: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${who}: ${what} must be a positive integer, got ${n}`);
  if (k > n) throw new Error(`${who}: k = ${k} exceeds ${what} = ${n} (at most ${what} orthonormal vectors exist)`);
}

function checkMatrix(who: string, a: unknown, rows: number, cols: number, label: string): Tensor {
  if (!(a instanceof Tensor)) throw new Error(`${who}: ${label} must be a Tensor, got ${a === null ? 'null' : typeof a}`);
  if (!isFloat(a.dtype)) throw new Error(`${who}: ${label} must be a float matrix, got ${a.dtype}`);
  if (a.rank !== 2 || a.shape[0] !== rows || a.shape[1] !== cols) throw new Error(`${who}: ${label} must be [${rows}, ${cols}], got ${fmt(a.shape)}`);
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) throw new Error(`${who}: ${label} has a non-finite entry ${d[i]} at (${Math.floor(i / cols)}, ${i % cols})`);
  }
  return a;
}

/** A finite n×n float matrix with |A − Aᵀ| ≤ SYMMETRY_TOL·max|A| entrywise. */
export function checkSymmetric(who: string, a: unknown, n: number): Tensor {
  const t = checkMatrix(who, a, n, n, 'A');
  const d = t.data;
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]!));
  const tol = SYMMETRY_TOL * scale;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const gap = Math.abs(d[i * n + j]! - d[j * n + i]!);
      if (gap > tol)
        throw new Error(
          `${who}: A is not symmetric: |A[${i},${j}] − A[${j},${i}]| = ${gap.toExponential(3)} > ${tol.toExponential(3)} (symmetrize with (A + Aᵀ)/2)`,
        );
    }
  }
  return t;
}

/** A finite m×n float matrix (the SVD tracker's X). */
export function checkFiniteMatrix(who: string, x: unknown, m: number, n: number): Tensor {
  return checkMatrix(who, x, m, n, 'X');
}
