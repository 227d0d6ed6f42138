/**
 * optax's `MultiSteps`: gradient accumulation. The mean of k consecutive minibatch gradients is
 * handed to the inner transformation every k-th step; the k−1 steps in between return zero
 * updates (parameters stay put). With a mean loss, k steps of batch B then equal one inner step of
 * batch k·B. The inner transformation counts its own steps (ctx.step = completed inner updates),
 * so its schedules run in "large-batch" steps.
 */
import { add, mul } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkPositiveInt } from './validate.ts';
import { treeZerosLike } from './tree-util.ts';

export interface MultiStepsState<S = unknown> {
  /** Minibatches accumulated since the last inner update, in [0, k). */
  miniStep: number;
  /** Inner updates applied so far. */
  innerStep: number;
  /** Sum of the gradients accumulated since the last inner update. */
  acc: Tree;
  inner: S;
}

export function multiSteps<S>(inner: GradientTransformation<S>, everyK: number): GradientTransformation<MultiStepsState<S>> {
  if (!inner || typeof inner.update !== 'function') throw new Error('multiSteps: inner must be a GradientTransformation');
  const k = checkPositiveInt('multiSteps', 'everyK', everyK);
  if ((inner.needs ?? []).length > 0) {
    throw new Error(`multiSteps: inner '${inner.name}' needs ${inner.needs!.join(', ')}, which a gradient accumulated over several minibatches cannot provide`);
  }
  return {
    name: `multiSteps(${inner.name}, k=${k})`,
    init: (params) => ({ miniStep: 0, innerStep: 0, acc: treeZerosLike(params), inner: inner.init(params) }),
    update(grads, state, ctx) {
      if (!state || !Number.isInteger(state.miniStep) || state.miniStep < 0 || state.miniStep >= k) {
        throw new Error(`multiSteps: state.miniStep must be an integer in [0, ${k}), got ${String(state?.miniStep)}`);
      }
      const acc = treeMap((a, g) => add(a, g), state.acc, grads);
      if (state.miniStep + 1 < k) {
        return [treeZerosLike(grads), { ...state, miniStep: state.miniStep + 1, acc }];
      }
      const mean = treeMap((a) => mul(a, 1 / k), acc);
      const [updates, innerState] = inner.update(mean, state.inner, { ...ctx, step: state.innerStep });
      return [updates, { miniStep: 0, innerStep: state.innerStep + 1, acc: treeZerosLike(acc), inner: innerState }];
    },
  };
}
