/** Matrices with a known spectrum for the tests: A = Q·diag(λ)·Qᵀ with a random orthogonal Q. */
import { Tensor } from '../../tensor/tensor.ts';
import { matmul, mul, transpose } from '../../tensor/ops.ts';
import * as random from '../../tensor/random.ts';
import { qr } from '../../linalg/index.ts';

export function randomOrthogonal(seed: number, n: number, cols = n): Tensor {
  return qr(random.normal(random.key(seed), [n, cols])).Q;
}

export function withSpectrum(seed: number, values: readonly number[]): Tensor {
  const n = values.length;
  const q = randomOrthogonal(seed, n);
  const a = matmul(mul(q, new Tensor(Float64Array.from(values), [n], 'float64')), transpose(q));
  // Exact symmetry (rounding leaves ~1e-16 asymmetry, which the tracker tolerates anyway).
  const d = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) d[i * n + j] = d[j * n + i]!;
  return new Tensor(d, [n, n], 'float64');
}

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
