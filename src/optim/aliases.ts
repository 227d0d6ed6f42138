/**
 * The usual optimizers as one-liners over `chain`. Each takes a learning rate (a number or a
 * schedule of the step) and returns a GradientTransformation whose updates are added to params.
 */
import { chain } from './chain.ts';
import { scaleByLearningRate } from './scale.ts';
import { traceMomentum } from './momentum.ts';
import { scaleByAdam, type AdamOptions } from './adam.ts';
import { scaleByRms, type RmsOptions } from './rms.ts';
import { addDecayedWeights } from './weight-decay.ts';
import { addNoise } from './noise.ts';
import { scaleByKfac, type KfacOptions } from './kfac.ts';
import { scheduleOf, checkDecay } from './validate.ts';
import { masked, type MaskTree } from './masked.ts';
import type { Tree } from '../tensor/tree.ts';
import type { ScalarOrSchedule } from './schedules.ts';
import type { Key } from '../tensor/prng.ts';
import type { GradientTransformation } from './transform.ts';

type GT = GradientTransformation<unknown[]>;
const lrName = (lr: ScalarOrSchedule): string => (typeof lr === 'number' ? String(lr) : 'schedule');
const named = (name: string, t: GT): GT => ({ ...t, name });

/** Which leaves weight decay applies to (optax's `mask`): a boolean tree or a function of the params, e.g. `nonBiasMask`. */
export type DecayMask = MaskTree | ((params: Tree) => MaskTree);
const decay = (wd: number, mask?: DecayMask) => (mask === undefined || wd === 0 ? addDecayedWeights(wd) : masked(addDecayedWeights(wd), mask));

/** θ ← θ − η(g + wd·θ)  (PyTorch SGD's weight_decay, i.e. L2). */
export const sgd = (lr: ScalarOrSchedule, opts: { weightDecay?: number; decayMask?: DecayMask } = {}): GT =>
  named(
    `sgd(lr=${lrName(lr)}${opts.weightDecay ? `, wd=${opts.weightDecay}` : ''})`,
    chain(decay(opts.weightDecay ?? 0, opts.decayMask), scaleByLearningRate(lr)),
  );

/** PyTorch momentum: v ← μv + g; θ ← θ − ηv. */
export const momentum = (lr: ScalarOrSchedule, mu = 0.9): GT =>
  named(`momentum(lr=${lrName(lr)}, mu=${mu})`, chain(traceMomentum(mu), scaleByLearningRate(lr)));

/** PyTorch Nesterov: v ← μv + g; θ ← θ − η(g + μv). */
export const nesterov = (lr: ScalarOrSchedule, mu = 0.9): GT =>
  named(`nesterov(lr=${lrName(lr)}, mu=${mu})`, chain(traceMomentum(mu, { nesterov: true }), scaleByLearningRate(lr)));

/** Adam (β₁ .9, β₂ .999, ε 1e-8); `weightDecay` here is L2 (added to g before the moments), as PyTorch Adam. */
export const adam = (lr: ScalarOrSchedule, opts: AdamOptions & { weightDecay?: number } = {}): GT =>
  named(`adam(lr=${lrName(lr)})`, chain(addDecayedWeights(opts.weightDecay ?? 0), scaleByAdam(opts), scaleByLearningRate(lr)));

/** AdamW: θ ← θ − η(m̂/(√v̂+ε) + wd·θ), decay decoupled from the moments. PyTorch default wd = 0.01. */
export const adamw = (lr: ScalarOrSchedule, opts: AdamOptions & { weightDecay?: number; decayMask?: DecayMask } = {}): GT =>
  named(
    `adamw(lr=${lrName(lr)}, wd=${opts.weightDecay ?? 0.01})`,
    chain(scaleByAdam(opts), decay(opts.weightDecay ?? 0.01, opts.decayMask), scaleByLearningRate(lr)),
  );

/** RMSprop (PyTorch: α .99, ε 1e-8; with `momentum` μ: buf ← μ·buf + g/(√v+ε), θ ← θ − η·buf). */
export const rmsprop = (lr: ScalarOrSchedule, opts: RmsOptions & { momentum?: number } = {}): GT =>
  named(
    `rmsprop(lr=${lrName(lr)})`,
    opts.momentum ? chain(scaleByRms(opts), traceMomentum(opts.momentum), scaleByLearningRate(lr)) : chain(scaleByRms(opts), scaleByLearningRate(lr)),
  );

/**
 * SGLD / discretised Langevin dynamics: θ ← θ − η_t∇L + √(2η_t/β)·ξ, ξ ~ N(0, I), η_t = lr or
 * lr(step). With the MEAN loss, the stationary law is ∝ exp(−β·L) (see papers/6-langevin.md:
 * with a summed loss the temperature changes by a factor n). Noise comes from ctx.key, or from
 * foldIn(opts.key, step) when a key is given; with neither, update throws.
 */
export function langevin(lr: ScalarOrSchedule, opts: { beta: number; key?: Key }): GT {
  const beta = opts?.beta;
  if (typeof beta !== 'number' || Number.isNaN(beta) || beta <= 0)
    throw new Error(`langevin: inverse temperature beta must be a number > 0, got ${String(beta)}`);
  const eta = scheduleOf('langevin', 'learning rate', lr, (op, name, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${op}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
    return v;
  });
  return named(
    `langevin(lr=${lrName(lr)}, beta=${beta})`,
    chain(
      scaleByLearningRate(lr),
      addNoise((step) => Math.sqrt((2 * eta(step)) / beta), { key: opts.key, name: 'langevin' }),
    ),
  );
}

/**
 * K-FAC: preconditioned gradient (A_d⁻¹ ∇W G_d⁻¹ per Linear/Conv2d layer, see kfac.ts), optional
 * heavy-ball momentum on the preconditioned direction, then −η. Needs layerStats.
 */
export const kfac = (lr: ScalarOrSchedule, opts: KfacOptions & { momentum?: number } = {}): GT =>
  named(
    `kfac(lr=${lrName(lr)}${opts.momentum ? `, mu=${opts.momentum}` : ''})`,
    opts.momentum
      ? chain(scaleByKfac(opts), traceMomentum(checkDecay('kfac', 'momentum', opts.momentum)), scaleByLearningRate(lr))
      : chain(scaleByKfac(opts), scaleByLearningRate(lr)),
  );
