/**
 * Which eigen-directions of the mini-batch Hessian CGD removes from the gradient.
 *
 * Along eigenvector v_i the SGD map θ ← θ − ηg has the local growth factor |1 − ηλ_i|, expanding
 * ("chaotic") when λ_i < 0 or λ_i > 2/η. Prune sets:
 *   - 'neg'     : λ < 0           (the negative-curvature directions)
 *   - 'pos'     : λ > 0
 *   - 'chaotic' : λ < 0 or λ > 2/η (equals 'neg' when the spectrum stays below 2/η)
 *   - 'random'  : a control — as many directions as 'neg' would prune, drawn uniformly from all
 *   - 'none'    : nothing (CGD is then SGD, bit for bit)
 * λ = 0 (choice, unlike the reference code, which prunes it under 'neg'): |λ| ≤ zeroTol·max|λ| is
 * neutral (growth factor 1, neither expanding nor contracting) and is kept; ReLU nets have many
 * exact zeros (dead units), which eigh returns as ±1e-17 noise. `zero: 'prune'` reproduces the
 * reference.
 * `k` caps the count: 'most' prunes the k most extreme members of the set (most negative λ for
 * 'neg', largest λ for 'pos', largest (1 − ηλ)² for 'chaotic'); 'random' draws k of the set
 * without replacement (the reference draws with replacement, so it can prune fewer than k).
 */
import type { Key } from '../../tensor/prng.ts';
import { permutation } from './rng.ts';

export type PruneSet = 'neg' | 'pos' | 'chaotic' | 'random' | 'none';

export interface PruneOptions {
  set: PruneSet;
  /** Learning rate η (the 'chaotic' threshold 2/η). */
  lr: number;
  /** At most this many directions (default: all of the set). */
  k?: number;
  /** How k members are chosen (default 'most'). */
  kMode?: 'most' | 'random';
  /** λ = 0 handling (default 'keep'). */
  zero?: 'keep' | 'prune';
  /** |λ| ≤ zeroTol·max|λ| counts as 0 (default 1e-10). */
  zeroTol?: number;
}

export function checkPruneOptions(o: PruneOptions, n: number | undefined, where: string): void {
  if (!['neg', 'pos', 'chaotic', 'random', 'none'].includes(o.set))
    throw new Error(`${where}: prune set must be neg, pos, chaotic, random or none, got ${String(o.set)}`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) throw new Error(`${where}: lr must be a positive number, got ${o.lr}`);
  if (o.k !== undefined) {
    if (!Number.isInteger(o.k) || o.k < 0) throw new Error(`${where}: k must be a non-negative integer, got ${o.k}`);
    if (n !== undefined && o.k > n) throw new Error(`${where}: k = ${o.k} is larger than the parameter count ${n}`);
  }
  if (o.kMode !== undefined && o.kMode !== 'most' && o.kMode !== 'random')
    throw new Error(`${where}: kMode must be 'most' or 'random', got ${String(o.kMode)}`);
  if (o.zero !== undefined && o.zero !== 'keep' && o.zero !== 'prune') throw new Error(`${where}: zero must be 'keep' or 'prune', got ${String(o.zero)}`);
}

/**
 * Indices (into `values`) of the directions to prune. `values` may be a full spectrum or the Ritz
 * values of a partial one (Lanczos): only the given directions can be pruned. `key` is used by
 * 'random' and kMode 'random'.
 */
export function pruneIndices(values: Float64Array, o: PruneOptions, key: Key | undefined, n = values.length): number[] {
  const where = 'pruneIndices';
  checkPruneOptions(o, n, where);
  if (o.set === 'none' || o.k === 0) return [];
  let maxAbs = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error(`${where}: a non-finite eigenvalue (${v}); the Hessian probe failed`);
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const tol = (o.zeroTol ?? 1e-10) * maxAbs;
  const neg = (v: number) => (o.zero === 'prune' ? v <= tol : v < -tol);
  const pos = (v: number) => (o.zero === 'prune' ? v >= -tol : v > tol);
  const expand = (v: number) => (1 - o.lr * v) ** 2;
  const chaotic = (v: number) => neg(v) || v > 2 / o.lr;
  const idx = [...values.keys()];
  let members: number[];
  let extremity: (i: number) => number; // larger = more extreme
  switch (o.set) {
    case 'neg':
      members = idx.filter((i) => neg(values[i]!));
      extremity = (i) => -values[i]!;
      break;
    case 'pos':
      members = idx.filter((i) => pos(values[i]!));
      extremity = (i) => values[i]!;
      break;
    case 'chaotic':
      members = idx.filter((i) => chaotic(values[i]!));
      extremity = (i) => expand(values[i]!);
      break;
    case 'random': {
      if (!key) throw new Error(`${where}: prune set 'random' needs a PRNG key`);
      let count = idx.filter((i) => neg(values[i]!)).length;
      if (o.k !== undefined) count = Math.min(count, o.k);
      return permutation(key, values.length)
        .slice(0, count)
        .sort((a, b) => a - b);
    }
  }
  if (o.k === undefined || o.k >= members.length) return members;
  if ((o.kMode ?? 'most') === 'random') {
    if (!key) throw new Error(`${where}: kMode 'random' needs a PRNG key`);
    return permutation(key, members.length)
      .slice(0, o.k)
      .map((j) => members[j]!)
      .sort((a, b) => a - b);
  }
  return [...members]
    .sort((a, b) => extremity(b) - extremity(a) || a - b)
    .slice(0, o.k)
    .sort((a, b) => a - b);
}
