/**
 * The exact dense matrix of a (small) operator, one matvec per column (for a Hessian operator:
 * one HVP per parameter), and its full spectrum by eigh (linalg/). For n up to a few thousand.
 */
import { eigh } from '../linalg/index.ts';
import { Tensor } from '../tensor/tensor.ts';
import { applyChecked, type LinearOperator } from './operator.ts';

export interface DenseMatrix {
  /** (M + Mᵀ)/2, row-major n×n. */
  matrix: Float64Array;
  n: number;
  /** max |M_ij − M_ji| / max |M_ij| before symmetrizing (rounding-level for a true Hessian). */
  asymmetry: number;
}

export function denseMatrix(op: LinearOperator, opts: { maxSize?: number } = {}): DenseMatrix {
  const R = 'denseMatrix';
  const n = op.size;
  const maxSize = opts.maxSize ?? 5000;
  if (n > maxSize) throw new Error(`${R}: the operator has size ${n} > maxSize ${maxSize} (n matvecs and n² memory); raise maxSize to force it`);
  const m = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const col = applyChecked(R, op, e, `for column ${j}`);
    e[j] = 0;
    for (let i = 0; i < n; i++) m[i * n + j] = col[i]!;
  }
  let maxAbs = 0;
  let maxAsym = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const a = m[i * n + j]!;
      const b = m[j * n + i]!;
      maxAbs = Math.max(maxAbs, Math.abs(a), Math.abs(b));
      maxAsym = Math.max(maxAsym, Math.abs(a - b));
      m[i * n + j] = m[j * n + i] = 0.5 * (a + b);
    }
  }
  return { matrix: m, n, asymmetry: maxAbs === 0 ? 0 : maxAsym / maxAbs };
}

/** Every eigenvalue, ascending (and the eigenvectors as columns of a row-major n×n, on request). */
export function denseSpectrum(
  op: LinearOperator,
  opts: { maxSize?: number; vectors?: boolean } = {},
): { values: Float64Array; vectors?: Float64Array; asymmetry: number } {
  const { matrix, n, asymmetry } = op.dense && op.size <= (opts.maxSize ?? 5000) ? { matrix: op.dense(), n: op.size, asymmetry: 0 } : denseMatrix(op, opts);
  const r = eigh(new Tensor(matrix, [n, n], 'float64'));
  return {
    values: Float64Array.from(r.values.data as Float64Array),
    ...(opts.vectors ? { vectors: Float64Array.from(r.vectors.data as Float64Array) } : {}),
    asymmetry,
  };
}
