/**
 * CGD (Herrmann et al. 2022) as a gradient transformation: `pruneCurvature(opts)` replaces the
 * gradient by its projection onto the kept eigen-directions of the mini-batch Hessian, which it
 * gets from the trainer's HVP oracle (`needs: ['hvp']`, the current mini-batch);
 * `cgd(lr, opts)` = pruneCurvature → (momentum μ, PyTorch's buf = μ·buf + d) → −η.
 * Before `start` steps, or with nothing to prune, the gradient passes through untouched.
 */
import type { GradientTransformation } from '../../optim/transform.ts';
import { chain } from '../../optim/chain.ts';
import { scaleByLearningRate } from '../../optim/scale.ts';
import { traceMomentum } from '../../optim/momentum.ts';
import { treeLayout } from '../../spectral/flat.ts';
import type { Tree } from '../../tensor/tree.ts';
import * as random from '../../tensor/random.ts';
import { checkPruneOptions } from './prune.ts';
import { cgdDirection, checkDirectionOptions, type DirectionOptions } from './project.ts';
import { denseEigenpairs, denseFromHvp, lanczosEigenpairs } from './spectrum.ts';

export interface CgdOptions extends DirectionOptions {
  /** First step that prunes (default 0). */
  start?: number;
  /** 'dense': exact Hessian + eigh (default); 'lanczos': `lanczosK` Ritz pairs from each end. */
  spectrum?: 'dense' | 'lanczos';
  /** Pairs per end for 'lanczos' (default 20). */
  lanczosK?: number;
}

export function pruneCurvature(o: CgdOptions): GradientTransformation<Record<string, never>> {
  const R = 'pruneCurvature';
  checkPruneOptions(o, undefined, R);
  checkDirectionOptions(o, R);
  const start = o.start ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new Error(`${R}: start must be a non-negative integer, got ${start}`);
  const spectrum = o.spectrum ?? 'dense';
  if (spectrum !== 'dense' && spectrum !== 'lanczos') throw new Error(`${R}: spectrum must be 'dense' or 'lanczos', got ${String(spectrum)}`);
  return {
    name: `pruneCurvature(${o.set}${o.k !== undefined ? `, k=${o.k}` : ''}, ${spectrum})`,
    needs: ['hvp'],
    init: () => ({}),
    update: (grads, state, ctx) => {
      if (o.set === 'none' || ctx.step < start) return [grads, state];
      if (!ctx.hvp) throw new Error(`${R}: the trainer did not supply ctx.hvp (it must honour needs: ['hvp'])`);
      const layout = treeLayout(grads);
      const n = layout.size;
      if (o.k !== undefined && o.k > n) throw new Error(`${R}: k = ${o.k} is larger than the parameter count ${n}`);
      const hvp = (v: Float64Array) => layout.flatten(ctx.hvp!(layout.unflatten(v) as Tree));
      const pairs =
        spectrum === 'dense'
          ? denseEigenpairs(denseFromHvp(hvp, n), n)
          : lanczosEigenpairs(hvp, n, { k: Math.min(o.lanczosK ?? 20, n), key: ctx.key ?? random.key(0) });
      const { direction } = cgdDirection(layout.flatten(grads), pairs, o, ctx.key);
      return [direction ? (layout.unflatten(direction) as typeof grads) : grads, state];
    },
  };
}

/** The pruned optimizer: pruneCurvature, momentum μ (default 0: none), learning rate η = opts.lr. */
export function cgd(o: CgdOptions & { momentum?: number }): GradientTransformation<any> {
  const mu = o.momentum ?? 0;
  const parts: GradientTransformation<any>[] = [pruneCurvature(o)];
  if (mu !== 0) parts.push(traceMomentum(mu));
  parts.push(scaleByLearningRate(o.lr));
  return chain(...parts);
}
