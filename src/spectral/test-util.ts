/** Shared fixtures for the spectral tests (internal). */
import { key, normal } from '../tensor/prng.ts';
import { operatorFromMatrix, type LinearOperator } from './operator.ts';

/** Ascending copy. */
export const sorted = (xs: ArrayLike<number>): number[] => Array.from(xs).sort((a, b) => a - b);

/** max_i |a_i − b_i| / max(|b_i|, floor). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  if (a.length !== b.length) throw new Error(`maxRelErr: lengths ${a.length} vs ${b.length}`);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return e;
}

/** A random dense symmetric n×n matrix operator (Gaussian entries, symmetrized). */
export function randomSymmetric(n: number, seed: number): LinearOperator {
  const g = normal(key(seed), n * n);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = 0.5 * (g[i * n + j]! + g[j * n + i]!);
  return operatorFromMatrix(m, n);
}
