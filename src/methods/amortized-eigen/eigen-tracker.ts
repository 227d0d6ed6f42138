/**
 * The eigen tracker: top-k eigenpairs of a symmetric A(θ) that changes slowly during training,
 * amortized over the training steps (Li et al., NeurIPS 2024). W (n×k) is trained by its own
 * optimizer on an eigen loss; U = qf(W); λ̂ᵢ = uᵢᵀAuᵢ.
 *
 * Stop-gradient wiring: `update(state, A)` detaches A, so the eigen loss trains W only (otherwise
 * it would push A towards larger eigenvalues); `estimate(state, A)` detaches U, so the task sees
 * λ̂ᵢ = sg(uᵢ)ᵀA(θ)sg(uᵢ) with ∂λ̂ᵢ/∂A = uᵢuᵢᵀ — the exact eigenvalue derivative once U has
 * converged, without eigh's 1/(λᵢ − λⱼ) terms.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { div, gather, sum, mul } from '../../tensor/ops.ts';
import { stopGradient } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { adam } from '../../optim/aliases.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { orthonormalBasis, rayleighQuotients } from './basis.ts';
import { brockettLoss, brockettWeights, convexTraceLoss, defaultConvexFn, type ConvexFn } from './losses.ts';
import { initFactors, stepFactors, type FactorState } from './stepper.ts';
import { trackingError, type TrackingError } from './monitor.ts';
import { checkRank, checkSymmetric } from './validate.ts';

export type EigenLossName = 'brockett' | 'convex';

export interface EigenTrackerOptions {
  /** Size of A (n×n). */
  n: number;
  /** Number of top eigenpairs tracked (1 ≤ k ≤ n). */
  k: number;
  /** 'brockett' (ordered, default) or 'convex' (unordered; estimates are sorted by Rayleigh quotient). */
  loss?: EigenLossName;
  /** Brockett weights m₁ > … > m_k > 0 (default k, k−1, …, 1). */
  weights?: readonly number[];
  /** f of the convex trace loss (default exp; strictly convex and increasing on the spectrum's range). */
  convexFn?: ConvexFn;
  /** Any optim transformation, used standalone on W (default adam(1e-2)). */
  optimizer?: GradientTransformation<any>;
  /** Eigen-loss steps per `update` call (default 1: one per training step is the amortization). */
  stepsPerUpdate?: number;
  /** Steps `warmup` takes on the first A (default 200); `ready` is false until the tracker has taken them. */
  warmupSteps?: number;
  /** W ← qf(W) every this many eigen steps (default 100; 0 = never). */
  refreshEvery?: number;
  /** Exact eigh check every this many eigen steps inside `update` (default 0 = never; O(n³)). */
  checkEvery?: number;
  /** Divide A by ‖A‖_F (detached) inside the eigen loss (default true): the step size then does not depend on A's scale, and exp stays bounded. */
  normalize?: boolean;
}

export type EigenTrackerState = FactorState<{ w: Tensor }>;

export interface EigenEstimate {
  /** λ̂ (length k, descending for 'convex'; Brockett order otherwise), differentiable in A. */
  values: Tensor;
  /** U (n×k), detached. */
  vectors: Tensor;
}

export interface EigenTracker {
  readonly n: number;
  readonly k: number;
  readonly loss: EigenLossName;
  init(key: Key): EigenTrackerState;
  /** One (or `stepsPerUpdate`) eigen-loss step(s) on the detached A; `check` when this step is a `checkEvery` multiple. */
  update(state: EigenTrackerState, a: Tensor): { state: EigenTrackerState; loss: number; check?: TrackingError };
  /** Runs eigen steps on A until `warmupSteps` have been taken in all. */
  warmup(state: EigenTrackerState, a: Tensor): EigenTrackerState;
  ready(state: EigenTrackerState): boolean;
  estimate(state: EigenTrackerState, a: Tensor): EigenEstimate;
  /** Exact check against linalg.eigh (top k, descending). */
  check(state: EigenTrackerState, a: Tensor): TrackingError;
}

const WHO = 'eigenTracker';

function positiveInt(name: string, v: number | undefined, dflt: number, min: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new Error(`${WHO}: ${name} must be an integer ≥ ${min}, got ${x}`);
  return x;
}

export function eigenTracker(opts: EigenTrackerOptions): EigenTracker {
  const { n, k } = opts;
  checkRank(WHO, n, k);
  const lossName = opts.loss ?? 'brockett';
  if (lossName !== 'brockett' && lossName !== 'convex') throw new Error(`${WHO}: loss must be 'brockett' or 'convex', got '${String(lossName)}'`);
  const weights = opts.weights ? new Tensor(Float64Array.from(opts.weights), [opts.weights.length], 'float64') : brockettWeights(k);
  if (weights.size !== k) throw new Error(`${WHO}: weights has ${weights.size} entries, expected k = ${k}`);
  for (let i = 0; i < k; i++) {
    if (!(weights.data[i]! > 0) || (i > 0 && !(weights.data[i]! < weights.data[i - 1]!)))
      throw new Error(`${WHO}: weights must be positive and strictly decreasing, got [${Array.from(weights.data).join(', ')}]`);
  }
  const f = opts.convexFn ?? defaultConvexFn;
  const optimizer = opts.optimizer ?? adam(1e-2);
  const stepsPerUpdate = positiveInt('stepsPerUpdate', opts.stepsPerUpdate, 1, 1);
  const warmupSteps = positiveInt('warmupSteps', opts.warmupSteps, 200, 0);
  const refreshEvery = positiveInt('refreshEvery', opts.refreshEvery, 100, 0);
  const checkEvery = positiveInt('checkEvery', opts.checkEvery, 0, 0);
  const normalize = opts.normalize ?? true;

  const prepared = (a: Tensor): Tensor => {
    const sa = stopGradient(checkSymmetric(WHO, a, n));
    if (!normalize) return sa;
    const fro = Math.sqrt(sum(mul(sa, sa)).data[0]!);
    // A = 0 (every eigenvalue tied at 0) is left as it is: no direction is preferred, and no NaN.
    return fro > 0 ? stopGradient(div(sa, fro)) : sa;
  };
  const lossOf =
    (a: Tensor) =>
    (p: { w: Tensor }): Tensor =>
      lossName === 'brockett' ? brockettLoss(p.w, a, weights) : convexTraceLoss(p.w, a, f);

  const estimate = (state: EigenTrackerState, a: Tensor): EigenEstimate => {
    checkSymmetric(WHO, a, n);
    let u = stopGradient(orthonormalBasis(stopGradient(state.params.w)));
    if (lossName === 'convex') {
      // The convex loss leaves the order free: sort the columns by their (detached) Rayleigh quotients.
      const d = rayleighQuotients(u, stopGradient(a)).data;
      const order = Int32Array.from({ length: k }, (_, i) => i).sort((i, j) => d[j]! - d[i]! || i - j);
      u = gather(u, new Tensor(order, [k], 'int32'), 1);
    }
    return { values: rayleighQuotients(u, a), vectors: u };
  };

  const check = (state: EigenTrackerState, a: Tensor): TrackingError => {
    const e = estimate(state, stopGradient(a));
    return trackingError(stopGradient(a), e.values, e.vectors);
  };

  const update: EigenTracker['update'] = (state, a) => {
    const loss = lossOf(prepared(a));
    let s = state;
    let value = NaN;
    for (let i = 0; i < stepsPerUpdate; i++) ({ state: s, loss: value } = stepFactors(loss, s, optimizer, refreshEvery));
    const due = checkEvery > 0 && Math.floor(s.step / checkEvery) > Math.floor(state.step / checkEvery);
    return due ? { state: s, loss: value, check: check(s, a) } : { state: s, loss: value };
  };

  return {
    n,
    k,
    loss: lossName,
    init(key: Key): EigenTrackerState {
      if (!random.isKey(key)) throw new Error(`${WHO}: init needs a PRNG key (random.key(seed))`);
      // Standard normal W is full rank with probability 1; qf(W) is then Haar-distributed.
      return initFactors({ w: random.normal(key, [n, k]) }, optimizer);
    },
    update,
    warmup(state, a) {
      const loss = lossOf(prepared(a));
      let s = state;
      while (s.step < warmupSteps) s = stepFactors(loss, s, optimizer, refreshEvery).state;
      return s;
    },
    ready: (state) => state.step >= warmupSteps,
    estimate,
    check,
  };
}
