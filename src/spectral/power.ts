/**
 * Power iteration with deflation, as PyHessian's `eigenvalues()` does it (kept for comparison):
 * for each of k eigenvalues, iterate v ← A·v/‖A·v‖ with v re-orthogonalized against the vectors
 * already found, until the Rayleigh quotient's relative change is below tol. It finds the
 * largest-MAGNITUDE eigenvalues (a large negative one comes before a small positive one) and
 * gives no residuals; the stopping rule is a relative change, not an accuracy.
 */
import { foldIn, type Key } from '../tensor/prng.ts';
import { applyChecked, type LinearOperator } from './operator.ts';
import { gaussian } from './probes.ts';
import { dot, norm, orthogonalize, scale } from './vec.ts';

export interface PowerIterationOptions {
  key: Key;
  /** Number of eigenvalues (default 1). */
  k?: number;
  /** Iterations per eigenvalue (PyHessian's default 100). */
  maxIter?: number;
  /** Stop when |λ_t − λ_{t−1}| / (|λ_{t−1}| + 1e-6) < tol (PyHessian's rule and default 1e-3). */
  tol?: number;
}

export interface PowerIterationResult {
  /** In the order found (decreasing magnitude, ideally). */
  values: Float64Array;
  vectors: Float64Array[];
  /** Matvecs spent on each eigenvalue. */
  iterations: number[];
  matvecs: number;
}

export function powerIteration(op: LinearOperator, opts: PowerIterationOptions): PowerIterationResult {
  const R = 'powerIteration';
  const n = op.size;
  if (!opts || opts.key === undefined) throw new Error(`${R}: options.key is required (a PRNG key: random.key(seed))`);
  const k = opts.k ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${R}: k must be a positive integer, got ${k}`);
  if (k > n) throw new Error(`${R}: k = ${k} is larger than the operator size (parameter count) ${n}`);
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-3;
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const iterations: number[] = [];
  let matvecs = 0;
  for (let e = 0; e < k; e++) {
    let v = gaussian(foldIn(opts.key, e), n);
    let lambda: number | undefined;
    let it = 0;
    for (; it < maxIter; it++) {
      orthogonalize(v, vectors);
      const s = norm(v);
      if (s === 0) break; // v lies in the span already found: nothing left to iterate on
      v = scale(1 / s, v);
      const w = applyChecked(R, op, v, `at iteration ${it + 1} of eigenvalue ${e + 1}`);
      matvecs++;
      const t = dot(w, v);
      const wn = norm(w);
      const prev = lambda;
      lambda = t;
      if (wn === 0) break; // A·v = 0: v is an eigenvector for 0
      v = scale(1 / wn, w);
      if (prev !== undefined && Math.abs(prev - t) / (Math.abs(prev) + 1e-6) < tol) {
        it++;
        break;
      }
    }
    values.push(lambda ?? 0);
    vectors.push(v);
    iterations.push(it);
  }
  return { values: Float64Array.from(values), vectors, iterations, matvecs };
}
