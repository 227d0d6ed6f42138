/**
 * RMSprop's rescaling in PyTorch's form (not centered): v ← αv + (1−α)u², u ← u/(√v + ε), v
 * starting at zero and no bias correction. PyTorch defaults α = 0.99, ε = 1e-8.
 */
import { add, div, mul, sqrt } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkDecay, checkNonNegative } from './validate.ts';
import { treeZerosLike } from './tree-util.ts';

export interface RmsOptions {
  alpha?: number;
  eps?: number;
}
export interface RmsState {
  nu: Tree;
}

export function scaleByRms(opts: RmsOptions = {}): GradientTransformation<RmsState> {
  const alpha = checkDecay('scaleByRms', 'alpha', opts.alpha ?? 0.99);
  const eps = checkNonNegative('scaleByRms', 'eps', opts.eps ?? 1e-8);
  return {
    name: `scaleByRms(alpha=${alpha}, eps=${eps})`,
    init: (params) => ({ nu: treeZerosLike(params) }),
    update: (g, state) => {
      const nu = treeMap((v, x) => add(mul(v, alpha), mul(mul(x, x), 1 - alpha)), state.nu, g);
      return [treeMap((x, v) => div(x, add(sqrt(v), eps)), g, nu), { nu }];
    },
  };
}
