/**
 * The linear-operator abstraction every spectral routine works on: a symmetric map on flat
 * float64 vectors, known only through `matvec` (a Hessian-vector product, a dense matrix, any
 * function). `diag`/`dense` are optional exact views, used by tests and the small-model checks.
 */
import { key as makeKey, type Key } from '../tensor/prng.ts';
import { firstNonFinite, dot, norm } from './vec.ts';
import { gaussian } from './probes.ts';
import { split } from '../tensor/prng.ts';

export interface LinearOperator {
  /** Dimension n: matvec maps R^n → R^n. */
  readonly size: number;
  /** A·v as a new vector (v is not modified). */
  matvec(v: Float64Array): Float64Array;
  /** The exact diagonal, when cheap (dense and diagonal operators). */
  diag?(): Float64Array;
  /** The exact matrix, row-major n×n, when the operator holds one. */
  dense?(): Float64Array;
  /** Shown in errors. */
  readonly name?: string;
}

/** An operator from a function (it must be linear and symmetric; `checkSymmetric` tests the latter). */
export function operatorFromFunction(size: number, matvec: (v: Float64Array) => Float64Array, name = 'function'): LinearOperator {
  if (!Number.isInteger(size) || size < 1) throw new Error(`operatorFromFunction: size must be a positive integer, got ${size}`);
  return { size, matvec, name };
}

/** An operator from a dense symmetric matrix, row-major n×n (copied; symmetry is checked to 1e-12 relative). */
export function operatorFromMatrix(a: Float64Array | readonly number[], n?: number): LinearOperator {
  const data = Float64Array.from(a);
  const size = n ?? Math.round(Math.sqrt(data.length));
  if (size < 1 || size * size !== data.length) throw new Error(`operatorFromMatrix: expected n×n = ${size}×${size} entries, got ${data.length}`);
  let maxAbs = 0;
  let maxAsym = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(data[i * size + j]!));
      maxAsym = Math.max(maxAsym, Math.abs(data[i * size + j]! - data[j * size + i]!));
    }
  }
  if (firstNonFinite(data) >= 0) throw new Error(`operatorFromMatrix: the matrix has a non-finite entry at ${firstNonFinite(data)}`);
  if (maxAsym > 1e-12 * maxAbs)
    throw new Error(
      `operatorFromMatrix: the matrix is not symmetric (max |A_ij − A_ji| = ${maxAsym.toExponential(3)}, max |A_ij| = ${maxAbs.toExponential(3)})`,
    );
  return {
    size,
    name: 'matrix',
    matvec(v) {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        let s = 0;
        const row = i * size;
        for (let j = 0; j < size; j++) s += data[row + j]! * v[j]!;
        out[i] = s;
      }
      return out;
    },
    diag: () => Float64Array.from({ length: size }, (_, i) => data[i * size + i]!),
    dense: () => Float64Array.from(data),
  };
}

/** A diagonal operator with the given eigenvalues (the synthetic spectra of the tests). */
export function operatorFromDiagonal(values: Float64Array | readonly number[]): LinearOperator {
  const d = Float64Array.from(values);
  if (d.length < 1) throw new Error('operatorFromDiagonal: needs at least one value');
  if (firstNonFinite(d) >= 0) throw new Error(`operatorFromDiagonal: value ${firstNonFinite(d)} is not finite`);
  const n = d.length;
  return {
    size: n,
    name: 'diagonal',
    matvec: (v) => Float64Array.from(v, (x, i) => d[i]! * x),
    diag: () => Float64Array.from(d),
    dense: () => {
      const m = new Float64Array(n * n);
      for (let i = 0; i < n; i++) m[i * n + i] = d[i]!;
      return m;
    },
  };
}

/** An operator that counts its matvecs (each one a Hessian-vector product for a Hessian operator). */
export function countingOperator(op: LinearOperator): LinearOperator & { readonly count: number; reset(): void } {
  let count = 0;
  return {
    size: op.size,
    name: op.name,
    matvec: (v) => {
      count++;
      return op.matvec(v);
    },
    ...(op.diag ? { diag: () => op.diag!() } : {}),
    ...(op.dense ? { dense: () => op.dense!() } : {}),
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/** op.matvec(v), refusing a wrong length or a non-finite entry with an error naming `routine`. */
export function applyChecked(routine: string, op: LinearOperator, v: Float64Array, what: string): Float64Array {
  const w = op.matvec(v);
  if (!(w instanceof Float64Array) || w.length !== op.size) {
    throw new Error(
      `${routine}: the operator returned ${w instanceof Float64Array ? `a vector of length ${w.length}` : typeof w}, expected a Float64Array of length ${op.size}`,
    );
  }
  const bad = firstNonFinite(w);
  if (bad >= 0) throw new Error(`${routine}: the operator returned a non-finite value (${w[bad]} at index ${bad}) ${what}`);
  return w;
}

/**
 * Throws unless uᵀAw = wᵀAu to `tol` relative (two Gaussian vectors drawn from `key`, two
 * matvecs). A symmetric operator passes to rounding; a non-symmetric one fails with probability 1
 * (Gaussian, not ±1, probes: ±1 vectors miss an asymmetry half the time in small dimensions).
 */
export function checkSymmetric(op: LinearOperator, opts: { key?: Key; tol?: number; routine?: string } = {}): void {
  const routine = opts.routine ?? 'checkSymmetric';
  const k = opts.key ?? makeKey(0x5e11);
  const [ku, kw] = split(k, 2);
  const u = gaussian(ku!, op.size);
  const w = gaussian(kw!, op.size);
  const au = applyChecked(routine, op, u, 'in the symmetry check');
  const aw = applyChecked(routine, op, w, 'in the symmetry check');
  const a = dot(u, aw);
  const b = dot(w, au);
  const scaleOf = Math.max(norm(au) * norm(w), norm(aw) * norm(u), Number.MIN_VALUE);
  const tol = opts.tol ?? 1e-10;
  if (Math.abs(a - b) > tol * scaleOf) {
    throw new Error(
      `${routine}: the operator is not symmetric (uᵀAw = ${a.toPrecision(8)} but wᵀAu = ${b.toPrecision(8)}, relative gap ${(Math.abs(a - b) / scaleOf).toExponential(2)} > ${tol})`,
    );
  }
}
