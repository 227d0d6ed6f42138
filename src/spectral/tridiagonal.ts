/** Eigenpairs of the small symmetric tridiagonal matrix T that Lanczos builds (dense eigh from linalg/). */
import { eigh } from '../linalg/index.ts';
import { Tensor } from '../tensor/tensor.ts';

export interface TridiagonalEigen {
  /** Ritz values, ascending. */
  values: Float64Array;
  /** Eigenvectors of T as columns, row-major m×m: component r of vector i is vectors[r·m + i]. */
  vectors: Float64Array;
  m: number;
}

/** alpha: the m diagonal entries; beta: the m−1 off-diagonal entries. */
export function tridiagonalEigen(alpha: readonly number[], beta: readonly number[]): TridiagonalEigen {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i]!;
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i]!;
  }
  const { values, vectors } = eigh(new Tensor(t, [m, m], 'float64'));
  return { values: Float64Array.from(values.data as Float64Array), vectors: Float64Array.from(vectors.data as Float64Array), m };
}
