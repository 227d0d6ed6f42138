/**
 * u ← u + wd·θ (θ = ctx.params, the parameters before this step). Placed before the
 * learning-rate scaling it is weight decay: θ ← θ − η(u + wd·θ). After an Adam rescaling it is
 * the *decoupled* decay of AdamW (the decay is not divided by √v̂); before it, L2 regularisation.
 */
import { add, mul } from '../tensor/ops.ts';
import { treeMap } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkNonNegative } from './validate.ts';
import { EMPTY, type EmptyState } from './tree-util.ts';
import { fusedAxpy } from './fused.ts';

export function addDecayedWeights(wd: number): GradientTransformation<EmptyState> {
  checkNonNegative('addDecayedWeights', 'weight decay', wd);
  return {
    name: `addDecayedWeights(${wd})`,
    init: () => EMPTY,
    update: (g, state, ctx) => {
      if (wd === 0) return [g, state];
      if (!ctx?.params) throw new Error('addDecayedWeights: ctx.params is missing (weight decay needs the current parameters)');
      return [fusedAxpy(g, ctx.params, wd) ?? treeMap((x, p) => add(x, mul(p, wd)), g, ctx.params), state];
    },
  };
}
