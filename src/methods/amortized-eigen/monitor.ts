/**
 * Tracking-error monitor: compares estimated eigenpairs with an exact `linalg.eigh` (O(n³), so
 * run it every `checkEvery` steps, not every step). eigh returns eigenvalues ascending: the top
 * k are its last k columns, reversed.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { eigh } from '../../linalg/index.ts';

export interface TrackingError {
  /** max over i ≤ k of |λ̂ᵢ − λᵢ| / |λᵢ| (denominator floored at 1e-12·|λ₁| so zero eigenvalues stay finite). */
  readonly maxRelValueError: number;
  /** min over i ≤ k of |cos(uᵢ, vᵢ)| (meaningful only for simple eigenvalues). */
  readonly minAbsCos: number;
  /** The exact top-k eigenvalues, descending. */
  readonly exact: number[];
}

/** Top-k eigenpairs of symmetric A, descending, as plain arrays (values) and an n×k matrix (vectors). */
export function exactTopK(a: Tensor, k: number): { values: number[]; vectors: Float64Array } {
  const n = a.shape[0]!;
  const { values, vectors } = eigh(a);
  const vals: number[] = [];
  const vecs = new Float64Array(n * k);
  for (let i = 0; i < k; i++) {
    const col = n - 1 - i;
    vals.push(values.data[col]!);
    for (let r = 0; r < n; r++) vecs[r * k + i] = vectors.data[r * n + col]!;
  }
  return { values: vals, vectors: vecs };
}

/** `values` (length k) and `vectors` (n×k, orthonormal columns) against the exact top-k of A (one eigh). */
export function trackingError(a: Tensor, values: Tensor, vectors: Tensor): TrackingError {
  return compareTopK(exactTopK(a, values.size), values, vectors);
}

/** The same comparison against a precomputed exact top-k (a fixed A needs one eigh only). */
export function compareTopK(ex: { values: number[]; vectors: Float64Array }, values: Tensor, vectors: Tensor): TrackingError {
  const k = values.size;
  const n = vectors.shape[0]!;
  const floor = 1e-12 * Math.abs(ex.values[0]!);
  let maxRel = 0;
  let minCos = Infinity;
  for (let i = 0; i < k; i++) {
    const lam = ex.values[i]!;
    maxRel = Math.max(maxRel, Math.abs(values.data[i]! - lam) / Math.max(Math.abs(lam), floor, Number.MIN_VALUE));
    let c = 0;
    for (let r = 0; r < n; r++) c += vectors.data[r * k + i]! * ex.vectors[r * k + i]!;
    minCos = Math.min(minCos, Math.abs(c));
  }
  return { maxRelValueError: maxRel, minAbsCos: minCos, exact: ex.values.slice(0, k) };
}
