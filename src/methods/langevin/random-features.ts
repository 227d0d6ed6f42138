/**
 * Random-features kernel ridge regression, the kernel baseline: D fixed random tanh features
 * φ_j(x) = tanh(w_jᵀx + b_j), w_j ~ N(0, I_d), b_j ~ N(0, 1), kernel k(x, x') = φ(x)ᵀφ(x')/D.
 * Solved in the dual (n ≤ D here): α = (K + nρI)⁻¹y by `linalg.cholesky` and two
 * `linalg.solveTriangular`s, f(x*) = k(x*, X)α. The ridge ρ is picked from a grid on a held-out
 * 20 % of the training set (fit on the other 80 %), then refitted on all of it.
 */
import { Tensor, eye } from '../../tensor/tensor.ts';
import { add, matmul, mul, tanh } from '../../tensor/ops.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { cholesky, solveTriangular } from '../../linalg/index.ts';

export interface RandomFeaturesOptions {
  features: number;
  /** Ridge candidates ρ (the penalty is nρ‖α‖_K²); default [1e-6, 1e-5, 1e-4, 1e-3, 1e-2]. */
  ridges?: readonly number[];
}

export interface RandomFeaturesFit {
  ridge: number;
  predict(x: Tensor): Float64Array;
}

function featureMap(key: Key, d: number, D: number): (x: Tensor) => Tensor {
  const [kw, kb] = random.split(key) as [Key, Key];
  const W = random.normal(kw, [d, D]);
  const b = random.normal(kb, [D]);
  return (x) => mul(tanh(add(matmul(x, W), b)), 1 / Math.sqrt(D));
}

/** Dual ridge solution α for features Φ [n, D] and targets y [n]. */
export function ridgeDual(phi: Tensor, y: Tensor, ridge: number): Tensor {
  const n = phi.shape[0]!;
  const K = add(matmul(phi, phi, { transB: true }), mul(eye(n), n * ridge));
  const L = cholesky(K);
  const z = solveTriangular(L, y, { lower: true });
  return solveTriangular(L, z, { lower: true, transpose: true });
}

export function fitRandomFeatures(key: Key, x: Tensor, y: Tensor, o: RandomFeaturesOptions): RandomFeaturesFit {
  const op = 'langevin.fitRandomFeatures';
  if (!Number.isInteger(o.features) || o.features < 1) throw new Error(`${op}: features must be an integer ≥ 1, got ${String(o.features)}`);
  if (x.rank !== 2 || y.rank !== 1 || y.shape[0] !== x.shape[0])
    throw new Error(`${op}: expected x [n, d] and y [n], got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  const ridges = o.ridges ?? [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];
  if (ridges.length === 0 || ridges.some((r) => !(r > 0 && Number.isFinite(r))))
    throw new Error(`${op}: ridges must be finite numbers > 0, got ${JSON.stringify(ridges)}`);
  const phiOf = featureMap(key, x.shape[1]!, o.features);
  const phi = phiOf(x);
  const n = x.shape[0]!;
  const nFit = Math.floor(0.8 * n);
  const pd = phi.data as Float64Array;
  const D = o.features;
  const rows = (a: number, b: number) => new Tensor(pd.slice(a * D, b * D), [b - a, D]);
  const yd = y.data as Float64Array;
  let best = ridges[0]!;
  if (ridges.length > 1 && nFit >= 2 && n - nFit >= 1) {
    const phiFit = rows(0, nFit);
    const phiVal = rows(nFit, n);
    const yFit = new Tensor(yd.slice(0, nFit), [nFit]);
    let bestErr = Infinity;
    for (const r of ridges) {
      const alpha = ridgeDual(phiFit, yFit, r);
      const pred = matmul(matmul(phiVal, phiFit, { transB: true }), alpha).data as Float64Array;
      let err = 0;
      for (let i = 0; i < pred.length; i++) err += (pred[i]! - yd[nFit + i]!) ** 2;
      if (err < bestErr) {
        bestErr = err;
        best = r;
      }
    }
  }
  const alpha = ridgeDual(phi, y, best);
  return {
    ridge: best,
    predict: (xs) => Float64Array.from(matmul(matmul(phiOf(xs), phi, { transB: true }), alpha).data as Float64Array),
  };
}
