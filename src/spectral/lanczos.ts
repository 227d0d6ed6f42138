/**
 * Extreme eigenpairs of a symmetric operator by Lanczos with full reorthogonalization: the top-k
 * largest, the k smallest (most negative), or both ends at once. Stops when every wanted Ritz
 * pair has residual ‖A·y − θ·y‖ ≤ tol·‖A‖ (the residual is β_j·|last component of T's
 * eigenvector|, which equals ‖A·y − θ·y‖ for the Ritz vector y because the basis is kept
 * orthonormal), or after maxIter steps (then `converged` is false).
 */
import { foldIn, type Key } from '../tensor/prng.ts';
import { applyChecked, checkSymmetric, type LinearOperator } from './operator.ts';
import { gaussian } from './probes.ts';
import { KrylovProcess } from './krylov.ts';
import { tridiagonalEigen, type TridiagonalEigen } from './tridiagonal.ts';
import { axpy, norm } from './vec.ts';

export interface LanczosOptions {
  /** Randomness: the start vector (unless `start`) and fresh vectors after a breakdown. */
  key: Key;
  /** How many of the largest eigenvalues (default 0, or 6 when `smallest` is not given either). */
  largest?: number;
  /** How many of the smallest (most negative) eigenvalues (default 0). */
  smallest?: number;
  /** Relative residual tolerance: stop when ‖A·y − θ·y‖ ≤ tol·‖A‖ for every wanted pair (default 1e-8). */
  tol?: number;
  /** At most this many Lanczos steps = matvecs (default min(n, max(100, 10·k))). */
  maxIter?: number;
  /** Return the Ritz vectors (and their explicitly computed residuals, one extra matvec each). */
  vectors?: boolean;
  /** Start vector (default a standard normal vector from `key`). */
  start?: Float64Array;
  /** Check symmetry first (two extra matvecs); a non-symmetric operator is an error. */
  checkSymmetric?: boolean;
}

export interface EigenEnd {
  /** Ritz values: `largest` descending, `smallest` ascending. */
  values: Float64Array;
  /** ‖A·y − θ·y‖ per value (from the Lanczos relation). */
  residuals: Float64Array;
  /** Ritz vectors (unit length), when requested. */
  vectors?: Float64Array[];
  /** ‖A·y − θ·y‖ computed with an explicit matvec, when vectors were requested. */
  vectorResiduals?: Float64Array;
}

export interface LanczosResult {
  largest: EigenEnd;
  smallest: EigenEnd;
  /** Lanczos steps taken (one matvec each). */
  iterations: number;
  /** Every matvec made, including the symmetry check and explicit residuals. */
  matvecs: number;
  converged: boolean;
  /** Invariant subspaces met (each restarted from a fresh orthogonal vector). */
  breakdowns: number;
  /** Estimate of ‖A‖ (largest |Ritz value|) used by the tolerance. */
  normEstimate: number;
}

interface Ends {
  top: number[];
  bottom: number[];
}

/** Indices (into ascending Ritz values) of the wanted pairs: top descending, bottom ascending. */
function wanted(m: number, largest: number, smallest: number): Ends {
  const top = Array.from({ length: Math.min(largest, m) }, (_, i) => m - 1 - i);
  const bottom = Array.from({ length: Math.min(smallest, m) }, (_, i) => i);
  return { top, bottom };
}

export function lanczos(op: LinearOperator, opts: LanczosOptions): LanczosResult {
  const R = 'lanczos';
  const n = op.size;
  if (!opts || opts.key === undefined) throw new Error(`${R}: options.key is required (a PRNG key: random.key(seed))`);
  let largest = opts.largest ?? 0;
  const smallest = opts.smallest ?? 0;
  if (opts.largest === undefined && opts.smallest === undefined) largest = 6;
  for (const [name, k] of [
    ['largest', largest],
    ['smallest', smallest],
  ] as const) {
    if (!Number.isInteger(k) || k < 0) throw new Error(`${R}: ${name} must be a non-negative integer, got ${k}`);
    if (k > n) throw new Error(`${R}: ${name} = ${k} is larger than the operator size (parameter count) ${n}`);
  }
  if (largest + smallest === 0) throw new Error(`${R}: ask for at least one eigenvalue (largest or smallest > 0)`);
  const tol = opts.tol ?? 1e-8;
  if (!(tol > 0)) throw new Error(`${R}: tol must be positive, got ${tol}`);
  const kMax = Math.max(largest, smallest);
  const maxIter = Math.min(n, opts.maxIter ?? Math.max(100, 10 * (largest + smallest)));
  if (!Number.isInteger(maxIter) || maxIter < kMax)
    throw new Error(`${R}: maxIter = ${opts.maxIter} must be an integer ≥ the number of eigenvalues wanted (${kMax})`);
  let extra = 0;
  if (opts.checkSymmetric) {
    checkSymmetric(op, { key: foldIn(opts.key, 'symmetry'), routine: R });
    extra += 2;
  }
  const start = opts.start ?? gaussian(foldIn(opts.key, 'start'), n);
  const proc = new KrylovProcess(R, op, start, foldIn(opts.key, 'restart'), true);

  let eig: TridiagonalEigen | undefined;
  let converged = false;
  let normEst = 0;
  const residualsOf = (e: TridiagonalEigen, idx: number[]): number[] => idx.map((i) => Math.abs(proc.lastBeta * e.vectors[(e.m - 1) * e.m + i]!));
  let seenBreakdowns = 0;
  while (proc.steps < maxIter && proc.step()) {
    const m = proc.steps;
    const done = proc.exhausted || m >= maxIter;
    // Just restarted after an invariant subspace: the Ritz pairs so far are exact, but the
    // complement (e.g. further copies of a repeated eigenvalue) is unexplored — keep going.
    const restarted = proc.breakdowns > seenBreakdowns;
    seenBreakdowns = proc.breakdowns;
    if (restarted && !done) continue;
    // Checking costs an m×m eigh; past 60 steps check every 4th step to keep that small.
    if (m < kMax || (!done && m > 60 && m % 4 !== 0)) continue;
    eig = tridiagonalEigen(proc.alpha, proc.beta);
    normEst = Math.max(Math.abs(eig.values[0]!), Math.abs(eig.values[m - 1]!));
    const { top, bottom } = wanted(m, largest, smallest);
    const res = residualsOf(eig, [...top, ...bottom]);
    if (res.every((r) => r <= tol * normEst)) {
      converged = true;
      break;
    }
    if (proc.exhausted) break;
  }
  if (!eig || eig.m !== proc.steps) eig = tridiagonalEigen(proc.alpha, proc.beta);
  const m = eig.m;
  normEst = Math.max(Math.abs(eig.values[0]!), Math.abs(eig.values[m - 1]!));
  // An exhausted process spans an invariant subspace: its Ritz pairs are exact (residual 0).
  if (proc.exhausted && proc.lastBeta === 0) converged = m >= kMax;
  const { top, bottom } = wanted(m, largest, smallest);
  const end = (idx: number[]): EigenEnd => {
    const out: EigenEnd = { values: Float64Array.from(idx, (i) => eig!.values[i]!), residuals: Float64Array.from(residualsOf(eig!, idx)) };
    if (opts.vectors) {
      out.vectors = idx.map((i) => {
        const y = new Float64Array(n);
        proc.basis.forEach((q, r) => axpy(eig!.vectors[r * m + i]!, q, y));
        return y;
      });
      out.vectorResiduals = Float64Array.from(out.vectors, (y, t) => {
        const ay = applyChecked(R, op, y, 'computing a Ritz residual');
        extra++;
        axpy(-out.values[t]!, y, ay);
        return norm(ay);
      });
    }
    return out;
  };
  const result: LanczosResult = {
    largest: end(top),
    smallest: end(bottom),
    iterations: proc.steps,
    matvecs: proc.matvecs + extra,
    converged,
    breakdowns: proc.breakdowns,
    normEstimate: normEst,
  };
  return result;
}

/** The k largest eigenvalues (descending) of a symmetric operator: `lanczos(op, { key, largest: k }).largest.values`. */
export function topEigenvalues(op: LinearOperator, k: number, key: Key, tol?: number): Float64Array {
  return lanczos(op, { key, largest: k, tol }).largest.values;
}
