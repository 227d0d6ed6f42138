/**
 * The semi-implicit infinite-dimensional GLD step (papers/6-langevin.md §6.1), per neuron m:
 *   w_m ← s_m·(w_m − η·g_m + √(2η/β)·ξ_m),   s_m = 1/(1 + ηλ/μ_m),   ξ ~ N(0, I),
 * where g is the gradient of the *data* loss only: the prior (λ/2)‖W‖²_{ℋ_K} is handled by the
 * implicit factor S_η = (I + ηλA)⁻¹, A = diag(1/μ_m), which keeps the stiff high-index
 * coordinates stable at any η (explicit Euler needs η < 2μ_M/λ). As a GradientTransformation
 * the update is s⊙(θ − ηg + σξ) − θ, added to θ by `applyUpdates`. `beta: Infinity` turns the
 * noise off: the proximal gradient step on F (our "GD + weight decay", `gdWeightDecay`).
 * Noise comes from ctx.key (the trainer's per-step key) or foldIn(opts.key, step).
 */
import { Tensor } from '../../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { stepKey } from '../../optim/noise.ts';
import { EMPTY, type EmptyState } from '../../optim/tree-util.ts';
import { checkMu } from './spectrum.ts';

export interface GldOptions {
  /** Inverse temperature β > 0 (Infinity: no noise). */
  beta: number;
  /** Prior strength λ ≥ 0 of (λ/2)‖W‖²_{ℋ_K}. */
  lambda: number;
  /** μ_m per neuron (length M ≥ 1); the last axis of every leaf is the neuron index. */
  mu: ArrayLike<number>;
  key?: Key;
}

export function checkGldArgs(
  op: string,
  lr: unknown,
  o: { beta: unknown; lambda: unknown; mu: ArrayLike<number> },
): { eta: number; beta: number; lambda: number; mu: Float64Array } {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new Error(`${op}: step size η must be a finite number > 0, got ${String(lr)}`);
  const beta = o?.beta;
  if (typeof beta !== 'number' || Number.isNaN(beta) || beta <= 0) throw new Error(`${op}: inverse temperature β must be a number > 0, got ${String(beta)}`);
  const lambda = o.lambda;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new Error(`${op}: prior strength λ must be a finite number ≥ 0, got ${String(lambda)}`);
  return { eta: lr, beta, lambda, mu: checkMu(op, o.mu) };
}

/** s_m = 1/(1 + ηλ/μ_m). */
export function implicitFactors(eta: number, lambda: number, mu: Float64Array): Float64Array {
  return mu.map((m) => 1 / (1 + (eta * lambda) / m));
}

export function gld(lr: number, opts: GldOptions): GradientTransformation<EmptyState> {
  const op = 'langevin.gld';
  const { eta, beta, lambda, mu } = checkGldArgs(op, lr, opts);
  if (opts.key !== undefined && !random.isKey(opts.key)) throw new Error(`${op}: opts.key must be a key from random.key/split/foldIn`);
  const s = implicitFactors(eta, lambda, mu);
  const sigma = Number.isFinite(beta) ? Math.sqrt((2 * eta) / beta) : 0;
  const M = mu.length;
  return {
    name: `gld(lr=${eta}, beta=${beta}, lambda=${lambda}, M=${M})`,
    init: () => EMPTY,
    update: (grads: Tree, state, ctx) => {
      if (!ctx?.params) throw new Error(`${op}: ctx.params is missing (the implicit step needs the current parameters)`);
      const g = treeFlatten(grads);
      const p = treeFlatten(ctx.params).leaves;
      if (p.length !== g.leaves.length) throw new Error(`${op}: gradient and parameter trees differ (${g.leaves.length} vs ${p.length} leaves)`);
      const keys = sigma === 0 ? [] : g.leaves.length > 1 ? random.split(stepKey(op, ctx, opts.key), g.leaves.length) : [stepKey(op, ctx, opts.key)];
      const out = g.leaves.map((gl, i) => {
        const pl = p[i]!;
        if (pl.shape.join() !== gl.shape.join())
          throw new Error(`${op}: gradient [${gl.shape.join(', ')}] and parameter [${pl.shape.join(', ')}] shapes differ`);
        if (pl.rank < 1 || pl.shape[pl.rank - 1] !== M)
          throw new Error(`${op}: every parameter leaf must have the neuron index (length M = ${M}) as its last axis, got shape [${pl.shape.join(', ')}]`);
        const gd = gl.data as Float64Array | Float32Array;
        const pd = pl.data as Float64Array | Float32Array;
        const xi = sigma === 0 ? undefined : (random.normal(keys[i]!, pl.shape, { dtype: pl.dtype }).data as Float64Array | Float32Array);
        const u = pl.dtype === 'float32' ? new Float32Array(pd.length) : new Float64Array(pd.length);
        for (let j = 0; j < pd.length; j++) {
          const th = pd[j]!;
          const drift = th - eta * gd[j]! + (xi ? sigma * xi[j]! : 0);
          u[j] = s[j % M]! * drift - th;
        }
        return new Tensor(u, pl.shape, pl.dtype);
      });
      return [g.unflatten(out), state];
    },
  };
}

/** GD + weight decay in the ℋ_K metric: the noise-free (β = ∞) semi-implicit step, w ← s⊙(w − ηg). */
export function gdWeightDecay(lr: number, opts: { lambda: number; mu: ArrayLike<number> }): GradientTransformation<EmptyState> {
  const t = gld(lr, { ...opts, beta: Infinity });
  return { ...t, name: `gdWeightDecay(lr=${lr}, lambda=${opts.lambda})` };
}
