/**
 * Preconditioned SGLD (Li, Chen, Carlson & Carin 2016) in TensorFlow Probability's form
 * (tfp.optimizer.StochasticGradientLangevinDynamics) with its defaults: preconditioner decay
 * 0.95, diagonal bias 1e-8, burn-in 25 steps without noise. Written in our units (target
 * ∝ exp(−β·F), η the drift step):
 *   v ← α·v + (1−α)·g²,   G = 1/√(v + δ),   θ ← θ − η·G⊙g + √(2η·G/β)⊙ξ   (noise only after burn-in).
 * Deviation: TFP also adds the preconditioner's divergence term Γ (via diag_jacobian); like the
 * pSGLD paper's experiments we drop it (it is O(1−α) and needs second derivatives).
 */
import { Tensor } from '../../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { stepKey } from '../../optim/noise.ts';
import { treeZerosLike } from '../../optim/tree-util.ts';

export interface PsgldOptions {
  beta: number;
  /** EMA decay α of the squared gradient (TFP preconditioner_decay_rate, default 0.95). */
  decay?: number;
  /** δ inside the square root (TFP diagonal_bias, default 1e-8). */
  diagonalBias?: number;
  /** Steps without noise at the start (TFP burnin, default 25). */
  burnin?: number;
  key?: Key;
}

export interface PsgldState {
  nu: Tree;
}

export function psgld(lr: number, opts: PsgldOptions): GradientTransformation<PsgldState> {
  const op = 'langevin.psgld';
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new Error(`${op}: step size η must be a finite number > 0, got ${String(lr)}`);
  const beta = opts?.beta;
  if (typeof beta !== 'number' || Number.isNaN(beta) || beta <= 0) throw new Error(`${op}: inverse temperature β must be a number > 0, got ${String(beta)}`);
  const alpha = opts.decay ?? 0.95;
  if (!(alpha >= 0 && alpha < 1)) throw new Error(`${op}: decay must be in [0, 1), got ${String(alpha)}`);
  const delta = opts.diagonalBias ?? 1e-8;
  if (!(delta > 0 && Number.isFinite(delta))) throw new Error(`${op}: diagonalBias must be a finite number > 0, got ${String(delta)}`);
  const burnin = opts.burnin ?? 25;
  if (!Number.isInteger(burnin) || burnin < 0) throw new Error(`${op}: burnin must be an integer ≥ 0, got ${String(burnin)}`);
  const noisy = Number.isFinite(beta);
  return {
    name: `psgld(lr=${lr}, beta=${beta})`,
    init: (params) => ({ nu: treeZerosLike(params) }),
    update: (grads, state, ctx) => {
      const g = treeFlatten(grads);
      const nu = treeFlatten(state.nu).leaves;
      const withNoise = noisy && ctx.step >= burnin;
      const keys = !withNoise ? [] : g.leaves.length > 1 ? random.split(stepKey(op, ctx, opts.key), g.leaves.length) : [stepKey(op, ctx, opts.key)];
      const newNu: Tensor[] = [];
      const out = g.leaves.map((gl, i) => {
        const gd = gl.data as Float64Array;
        const vd = nu[i]!.data as Float64Array;
        const xi = withNoise ? (random.normal(keys[i]!, gl.shape).data as Float64Array) : undefined;
        const v = new Float64Array(gd.length);
        const u = new Float64Array(gd.length);
        for (let j = 0; j < gd.length; j++) {
          v[j] = alpha * vd[j]! + (1 - alpha) * gd[j]! * gd[j]!;
          const G = 1 / Math.sqrt(v[j]! + delta);
          u[j] = -lr * G * gd[j]! + (xi ? Math.sqrt((2 * lr * G) / beta) * xi[j]! : 0);
        }
        newNu.push(new Tensor(v, gl.shape));
        return new Tensor(u, gl.shape);
      });
      return [g.unflatten(out), { nu: g.unflatten(newNu) }];
    },
  };
}
