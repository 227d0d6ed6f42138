/**
 * QUBO ↔ Ising by x = (1 + s)/2 (dimod's convention), and the dense-matrix reader used by the CLI.
 *   a_i x_i      = a_i/2 + (a_i/2) s_i
 *   b x_i x_j    = b/4 (1 + s_i + s_j + s_i s_j)
 * so h_i = a_i/2 + Σ_j b_ij/4, J_ij = b_ij/4, c = offset + Σ a_i/2 + Σ b_ij/4. The inverse uses
 * s = 2x − 1. Both are exact: energies agree state by state (tested by brute force).
 */
import { isingCouplings, isingModel, type IsingModel, type Qubo } from './model.ts';

export function quboToIsing(q: Qubo): IsingModel {
  const h = new Float64Array(q.n);
  let c = q.offset;
  for (let i = 0; i < q.n; i++) {
    h[i]! += q.linear[i]! / 2;
    c += q.linear[i]! / 2;
  }
  const couplings: { i: number; j: number; v: number }[] = [];
  for (const { i, j, v } of q.pairs) {
    if (i === j) {
      // x_i² = x_i: a diagonal pair is linear.
      h[i]! += v / 2;
      c += v / 2;
      continue;
    }
    h[i]! += v / 4;
    h[j]! += v / 4;
    c += v / 4;
    couplings.push({ i, j, v: v / 4 });
  }
  return isingModel(h, couplings, c);
}

export function isingToQubo(m: IsingModel): Qubo {
  const linear = new Float64Array(m.n);
  let offset = m.offset;
  for (let i = 0; i < m.n; i++) {
    linear[i] = 2 * m.h[i]!;
    offset -= m.h[i]!;
  }
  const pairs: { i: number; j: number; v: number }[] = [];
  for (const { i, j, v } of isingCouplings(m)) {
    pairs.push({ i, j, v: 4 * v });
    linear[i]! -= 2 * v;
    linear[j]! -= 2 * v;
    offset += v;
  }
  return { n: m.n, linear, pairs, offset };
}

/** Spins → bits and back. */
export const spinsToBits = (s: ArrayLike<number>): Uint8Array => Uint8Array.from(s as ArrayLike<number>, (v) => (v > 0 ? 1 : 0));
export const bitsToSpins = (x: ArrayLike<number>): Int8Array => Int8Array.from(x as ArrayLike<number>, (v) => (v ? 1 : -1));

export interface MatrixQubo {
  qubo: Qubo;
  /** True when Q ≠ Qᵀ: the energy xᵀQx is still well defined (pair coefficient Q_ij + Q_ji). */
  symmetric: boolean;
}

/**
 * Reads a dense n×n matrix for "minimize xᵀQx over {0,1}ⁿ" with the full matrix as given:
 * the coefficient of x_i x_j (i < j) is Q_ij + Q_ji and of x_i is Q_ii. An upper-triangular file
 * and its symmetric half-split therefore mean the same problem; a non-symmetric matrix is
 * accepted (xᵀQx = xᵀ((Q+Qᵀ)/2)x — i.e. it is symmetrized) and flagged as such.
 */
export function quboFromMatrix(rows: unknown): MatrixQubo {
  if (!Array.isArray(rows)) throw new Error(`Q must be an array of rows, got ${rows === null ? 'null' : typeof rows}`);
  const n = rows.length;
  if (n === 0) throw new Error('Q is empty (n = 0): nothing to minimize');
  const Q: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = rows[i] as unknown;
    if (!Array.isArray(r)) throw new Error(`Q row ${i} is not an array`);
    if (r.length !== n) throw new Error(`Q is not square: row ${i} has ${r.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const v = r[j] as unknown;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Q[${i}][${j}] is not a finite number (${JSON.stringify(v) ?? String(v)})`);
    }
    Q.push(r as number[]);
  }
  const linear = new Float64Array(n);
  const pairs: { i: number; j: number; v: number }[] = [];
  let symmetric = true;
  for (let i = 0; i < n; i++) {
    linear[i] = Q[i]![i]!;
    for (let j = i + 1; j < n; j++) {
      if (Q[i]![j] !== Q[j]![i]) symmetric = false;
      const v = Q[i]![j]! + Q[j]![i]!;
      if (v !== 0) pairs.push({ i, j, v });
    }
  }
  return { qubo: { n, linear, pairs, offset: 0 }, symmetric };
}
