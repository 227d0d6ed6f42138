/**
 * The SVD variant: the top-k singular triplets of an m×n matrix X(θ), tracked like the eigen
 * tracker with two QR factors U = qf(W_u) (m×k), V = qf(W_v) (n×k) trained on the Brockett loss
 * −tr(M UᵀXV) (optimum: the singular pairs in order, σ̂ᵢ = uᵢᵀXvᵢ ≥ 0). For a nuclear-norm term,
 * `nuclearNorm(state, X)` = Σᵢ|σ̂ᵢ| is ‖X‖_* (k = min(m, n)) or its top-k part, with gradient
 * Σᵢ sign(σ̂ᵢ)uᵢvᵢᵀ (U, V detached) — U·Vᵀ, the exact subgradient, once the tracker has converged.
 * Why |σ̂ᵢ| and not σ̂ᵢ: for fixed U, V the signed sum is linear in X and unbounded below, so a task
 * optimizer faster than the tracker drives σ̂ᵢ through zero and grows a spurious −uᵢvᵢᵀ component
 * (measured: the nuclear-norm experiment ended worse than no penalty). |·| restores the kink at 0
 * that the exact nuclear norm has, and is invariant to the sign of each singular pair.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { abs, div, mul, slice, sum } from '../../tensor/ops.ts';
import { stopGradient } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { adam } from '../../optim/aliases.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { svd } from '../../linalg/index.ts';
import { bilinearDiagonal, orthonormalBasis } from './basis.ts';
import { brockettWeights, svdBrockettLoss } from './losses.ts';
import { initFactors, stepFactors, type FactorState } from './stepper.ts';
import { checkFiniteMatrix, checkRank } from './validate.ts';

export interface SvdTrackerOptions {
  m: number;
  n: number;
  k: number;
  optimizer?: GradientTransformation<any>;
  stepsPerUpdate?: number;
  warmupSteps?: number;
  refreshEvery?: number;
  normalize?: boolean;
}

export type SvdTrackerState = FactorState<{ wu: Tensor; wv: Tensor }>;

export interface SvdEstimate {
  /** σ̂ (length k), differentiable in X. */
  values: Tensor;
  /** U (m×k) and V (n×k), detached. */
  u: Tensor;
  v: Tensor;
}

export interface SvdTracker {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  init(key: Key): SvdTrackerState;
  update(state: SvdTrackerState, x: Tensor): { state: SvdTrackerState; loss: number };
  warmup(state: SvdTrackerState, x: Tensor): SvdTrackerState;
  ready(state: SvdTrackerState): boolean;
  estimate(state: SvdTrackerState, x: Tensor): SvdEstimate;
  /** Σᵢ|σ̂ᵢ|, differentiable in X: the (top-k) nuclear norm estimate. */
  nuclearNorm(state: SvdTrackerState, x: Tensor): Tensor;
}

const WHO = 'svdTracker';

export function svdTracker(opts: SvdTrackerOptions): SvdTracker {
  const { m, n, k } = opts;
  checkRank(WHO, Math.min(m, n), k, 'min(m, n)');
  const optimizer = opts.optimizer ?? adam(1e-2);
  const int = (name: string, v: number | undefined, dflt: number, min: number): number => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || x < min) throw new Error(`${WHO}: ${name} must be an integer ≥ ${min}, got ${x}`);
    return x;
  };
  const stepsPerUpdate = int('stepsPerUpdate', opts.stepsPerUpdate, 1, 1);
  const warmupSteps = int('warmupSteps', opts.warmupSteps, 200, 0);
  const refreshEvery = int('refreshEvery', opts.refreshEvery, 100, 0);
  const normalize = opts.normalize ?? true;
  const weights = brockettWeights(k);

  const prepared = (x: Tensor): Tensor => {
    const sx = stopGradient(checkFiniteMatrix(WHO, x, m, n));
    const fro = normalize ? Math.sqrt(sum(mul(sx, sx)).data[0]!) : 0;
    return fro > 0 ? stopGradient(div(sx, fro)) : sx;
  };
  const lossOf =
    (x: Tensor) =>
    (p: { wu: Tensor; wv: Tensor }): Tensor =>
      svdBrockettLoss(p.wu, p.wv, x, weights);

  const estimate = (state: SvdTrackerState, x: Tensor): SvdEstimate => {
    checkFiniteMatrix(WHO, x, m, n);
    const u = stopGradient(orthonormalBasis(stopGradient(state.params.wu)));
    const v = stopGradient(orthonormalBasis(stopGradient(state.params.wv)));
    return { values: bilinearDiagonal(u, x, v), u, v };
  };

  return {
    m,
    n,
    k,
    init(key) {
      if (!random.isKey(key)) throw new Error(`${WHO}: init needs a PRNG key (random.key(seed))`);
      const [ku, kv] = random.split(key, 2) as [Key, Key];
      return initFactors({ wu: random.normal(ku, [m, k]), wv: random.normal(kv, [n, k]) }, optimizer);
    },
    update(state, x) {
      const loss = lossOf(prepared(x));
      let s = state;
      let value = NaN;
      for (let i = 0; i < stepsPerUpdate; i++) ({ state: s, loss: value } = stepFactors(loss, s, optimizer, refreshEvery));
      return { state: s, loss: value };
    },
    warmup(state, x) {
      const loss = lossOf(prepared(x));
      let s = state;
      while (s.step < warmupSteps) s = stepFactors(loss, s, optimizer, refreshEvery).state;
      return s;
    },
    ready: (state) => state.step >= warmupSteps,
    estimate,
    nuclearNorm: (state, x) => sum(abs(estimate(state, x).values)),
  };
}

/** The exact baseline: the top-k singular values of X (descending) from linalg.svd, differentiable in X. */
export function exactSingularValues(x: Tensor, k: number): Tensor {
  const { S } = svd(x);
  return k === S.size ? S : slice(S, [0], [k]);
}
