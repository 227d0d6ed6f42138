/**
 * CGD's update direction from a gradient and eigenpairs of the mini-batch Hessian (the reference
 * code's rule, experiments/optim/cgd.py):
 *   g' = g − V_P(V_Pᵀg)          (P = pruned directions; = V_keep V_keepᵀ g for a full spectrum)
 *   noise: g' += V_P·ε, ε ~ N(0, σ²I), σ = noiseScale or mean|g|
 *   d = (1 − γ)g + γg'
 * Returns null when nothing is pruned and there is no noise (the caller then passes g through
 * untouched, so an empty prune set is SGD bit for bit).
 */
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { pruneIndices, type PruneOptions } from './prune.ts';
import type { Eigenpairs } from './spectrum.ts';
import { normals } from './rng.ts';

export interface DirectionOptions extends PruneOptions {
  /** Mix γ·(pruned) + (1−γ)·g (default 1). */
  gamma?: number;
  /** Add Gaussian noise in the pruned directions (default false). */
  noise?: boolean;
  /** Noise std (default mean|g|). */
  noiseScale?: number;
}

export interface Direction {
  direction: Float64Array | null;
  pruned: number[];
}

export function checkDirectionOptions(o: DirectionOptions, where: string): void {
  const gamma = o.gamma ?? 1;
  if (!(gamma >= 0 && gamma <= 1)) throw new Error(`${where}: gamma must be in [0, 1], got ${gamma}`);
  if (o.noiseScale !== undefined && !(o.noiseScale >= 0 && Number.isFinite(o.noiseScale)))
    throw new Error(`${where}: noiseScale must be a finite number ≥ 0, got ${o.noiseScale}`);
}

export function cgdDirection(g: Float64Array, pairs: Eigenpairs, o: DirectionOptions, key?: Key): Direction {
  const n = g.length;
  if (pairs.n !== n) throw new Error(`cgdDirection: the gradient has ${n} entries, the eigenvectors ${pairs.n}`);
  checkDirectionOptions(o, 'cgdDirection');
  for (let i = 0; i < n; i++) if (!Number.isFinite(g[i]!)) throw new Error(`cgdDirection: the gradient is not finite (entry ${i} is ${g[i]})`);
  const [pruneKey, noiseKey] = key ? (random.split(key) as [Key, Key]) : [undefined, undefined];
  const pruned = pruneIndices(pairs.values, o, pruneKey, n);
  if (pruned.length === 0) return { direction: null, pruned };
  const V = pairs.vectors;
  const gp = Float64Array.from(g);
  for (const i of pruned) {
    let c = 0;
    for (let j = 0; j < n; j++) c += V[i * n + j]! * g[j]!;
    for (let j = 0; j < n; j++) gp[j]! -= c * V[i * n + j]!;
  }
  if (o.noise) {
    if (!noiseKey) throw new Error('cgdDirection: noise needs a PRNG key');
    let sigma = o.noiseScale;
    if (sigma === undefined) {
      sigma = 0;
      for (let j = 0; j < n; j++) sigma += Math.abs(g[j]!) / n;
    }
    const eps = normals(noiseKey, pruned.length);
    pruned.forEach((i, q) => {
      for (let j = 0; j < n; j++) gp[j]! += sigma! * eps[q]! * V[i * n + j]!;
    });
  }
  const gamma = o.gamma ?? 1;
  if (gamma !== 1) for (let j = 0; j < n; j++) gp[j] = (1 - gamma) * g[j]! + gamma * gp[j]!;
  return { direction: gp, pruned };
}
