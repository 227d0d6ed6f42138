/**
 * The tracker's own optimization loop, shared by the eigen and SVD trackers: one step of any
 * `optim` transformation (used standalone, with its own state) on the eigen loss over the
 * unconstrained factors, and the periodic W ← qf(W) refresh. qf(qf(W)) = qf(W), so a refresh
 * leaves U unchanged while resetting R to I: the QR backward's R⁻ᵀ stays well-conditioned.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { valueAndGrad, stopGradient } from '../../tensor/transforms.ts';
import { treeMap, type Tree } from '../../tensor/tree.ts';
import { applyUpdates } from '../../optim/chain.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { orthonormalBasis } from './basis.ts';

/** Plain data (checkpoints as it is): the factors, the optimizer's state, the eigen steps taken. */
export interface FactorState<P extends Tree> {
  readonly params: P;
  readonly opt: unknown;
  readonly step: number;
}

export function initFactors<P extends Tree>(params: P, optimizer: GradientTransformation<any>): FactorState<P> {
  return { params, opt: optimizer.init(params), step: 0 };
}

export function stepFactors<P extends Tree>(
  loss: (p: P) => Tensor,
  state: FactorState<P>,
  optimizer: GradientTransformation<any>,
  refreshEvery: number,
): { state: FactorState<P>; loss: number } {
  const { value, grads } = valueAndGrad(loss)(state.params);
  const [updates, opt] = optimizer.update(grads, state.opt, { params: state.params, step: state.step });
  let params = applyUpdates(state.params, updates);
  const step = state.step + 1;
  if (refreshEvery > 0 && step % refreshEvery === 0) params = treeMap((w: Tensor) => stopGradient(orthonormalBasis(w)), params) as P;
  return { state: { params, opt, step }, loss: value.data[0]! };
}
