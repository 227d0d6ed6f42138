/**
 * The eigen-directions CGD projects with, from Hessian-vector products on the current mini-batch:
 *   - 'dense'  : the exact n×n Hessian (n HVPs) and every eigenpair by linalg.eigh (small models);
 *   - 'lanczos': spectral.lanczos's k largest and k smallest Ritz pairs (large models). Only those
 *                can be pruned; pairs whose residual ‖Hv − θv‖ exceeds residualTol·‖H‖ are dropped.
 * Or from a dense matrix the caller already has (mlpLossGradHessian).
 */
import { eigh } from '../../linalg/index.ts';
import { Tensor } from '../../tensor/tensor.ts';
import type { Key } from '../../tensor/prng.ts';
import { lanczos } from '../../spectral/lanczos.ts';
import { operatorFromFunction } from '../../spectral/operator.ts';

/** Eigenpairs: values[i] with the unit vector vectors[i·n .. (i+1)·n) (one vector per row). */
export interface Eigenpairs {
  values: Float64Array;
  /** Row i = eigenvector i (length n). */
  vectors: Float64Array;
  n: number;
  /** True when these are all n eigenpairs. */
  complete: boolean;
}

function checkFinite(v: Float64Array, where: string): Float64Array {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]!))
      throw new Error(`${where}: the Hessian probe returned a non-finite value (${v[i]}) — the loss or its curvature is not finite at these parameters`);
  return v;
}

/** All eigenpairs of a symmetric row-major n×n matrix (ascending). */
export function denseEigenpairs(matrix: Float64Array, n: number): Eigenpairs {
  checkFinite(matrix, 'denseEigenpairs');
  const r = eigh(new Tensor(matrix, [n, n], 'float64'));
  const cols = r.vectors.data; // row-major n×n, eigenvectors as columns
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[j * n + i] = cols[i * n + j]!;
  return { values: Float64Array.from(r.values.data), vectors, n, complete: true };
}

export type FlatHvp = (v: Float64Array) => Float64Array;

/** The dense Hessian from n HVPs (columns), symmetrized. */
export function denseFromHvp(hvp: FlatHvp, n: number): Float64Array {
  const m = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = checkFinite(hvp(e), 'denseFromHvp');
    e[j] = 0;
    for (let i = 0; i < n; i++) m[i * n + j] = col[i]!;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = m[j * n + i] = 0.5 * (m[i * n + j]! + m[j * n + i]!);
  return m;
}

export interface LanczosSpectrumOptions {
  /** Pairs from each end. */
  k: number;
  key: Key;
  /** Keep pairs with residual ≤ residualTol·‖H‖ (default 1e-3, the method notes' rule). */
  residualTol?: number;
  maxIter?: number;
}

/** k largest + k smallest Ritz pairs of the HVP operator (one set if they overlap, n ≤ 2k ⇒ all). */
export function lanczosEigenpairs(hvp: FlatHvp, n: number, o: LanczosSpectrumOptions): Eigenpairs {
  const R = 'lanczosEigenpairs';
  if (!Number.isInteger(o.k) || o.k < 1) throw new Error(`${R}: k must be a positive integer, got ${o.k}`);
  if (o.k > n) throw new Error(`${R}: k = ${o.k} is larger than the parameter count ${n}`);
  const op = operatorFromFunction(n, (v) => checkFinite(hvp(v), R), 'minibatch Hessian');
  if (2 * o.k >= n) return denseEigenpairs(denseFromHvp(op.matvec, n), n);
  const r = lanczos(op, { key: o.key, largest: o.k, smallest: o.k, vectors: true, tol: 1e-6, maxIter: o.maxIter ?? Math.min(n, 4 * o.k + 20) });
  const tol = (o.residualTol ?? 1e-3) * r.normEstimate;
  const values: number[] = [];
  const rows: Float64Array[] = [];
  for (const end of [r.smallest, r.largest]) {
    const vs = end.vectors!;
    end.values.forEach((v, i) => {
      if (!(end.residuals[i]! <= tol)) return;
      values.push(v);
      rows.push(vs[i]!);
    });
  }
  const vectors = new Float64Array(rows.length * n);
  rows.forEach((row, i) => vectors.set(row, i * n));
  return { values: Float64Array.from(values), vectors, n, complete: false };
}
