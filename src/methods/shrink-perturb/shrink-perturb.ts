/**
 * Shrink & Perturb (Ash & Adams 2020; official `weight_sp`): after training on a chunk, every
 * linear/conv weight and bias becomes λ·W + N(0, σ²) elementwise (official λ = 0.3, σ = 0.01).
 * BatchNorm parameters and statistics and the optimizer state are left as they are.
 */
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import type { WeightSite } from '../dash/sites.ts';

export interface ShrinkPerturbOptions {
  /** Shrink factor in (0, 1] (1: no shrink). */
  lambda: number;
  /** Noise standard deviation ≥ 0 (0: no noise). */
  sigma: number;
}

export function shrinkPerturb<P extends Tree>(params: P, sites: readonly WeightSite[], o: ShrinkPerturbOptions, key: Key): P {
  if (!(typeof o.lambda === 'number' && o.lambda > 0 && o.lambda <= 1))
    throw new Error(`shrink-perturb: λ (lambda) must be in (0, 1], got ${String(o.lambda)}`);
  if (!(typeof o.sigma === 'number' && o.sigma >= 0 && Number.isFinite(o.sigma)))
    throw new Error(`shrink-perturb: σ (sigma) must be a finite number ≥ 0, got ${String(o.sigma)}`);
  const { leaves, unflatten } = treeFlatten(params);
  const out = [...leaves];
  const targets = sites.flatMap((s) => (s.biasLeaf === undefined ? [s.weightLeaf] : [s.weightLeaf, s.biasLeaf]));
  for (const i of targets) {
    const w = leaves[i]!;
    const noise = o.sigma > 0 ? random.normal(random.foldIn(key, i), w.shape, { std: o.sigma, dtype: w.dtype }).data : undefined;
    const data = w.data.slice();
    for (let k = 0; k < data.length; k++) data[k] = o.lambda * data[k]! + (noise ? noise[k]! : 0);
    out[i] = new Tensor(data, w.shape, w.dtype);
  }
  return unflatten(out);
}
