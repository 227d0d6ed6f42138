/**
 * Global-norm clipping: if ‖u‖ = √(Σ over all leaves of u²) exceeds maxNorm, u ← u·maxNorm/‖u‖;
 * otherwise u is returned unchanged (the very same tensors). A non-finite norm propagates, so the
 * trainer's NaN guard reports it rather than the clip hiding it.
 */
import { mul } from '../tensor/ops.ts';
import { treeMap } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkPositive } from './validate.ts';
import { EMPTY, globalNorm, type EmptyState } from './tree-util.ts';

export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  checkPositive('clipByGlobalNorm', 'maxNorm', maxNorm);
  return {
    name: `clipByGlobalNorm(${maxNorm})`,
    init: () => EMPTY,
    update: (g, state) => {
      const norm = globalNorm(g);
      if (norm <= maxNorm) return [g, state];
      const f = maxNorm / norm;
      return [treeMap((x) => mul(x, f), g), state];
    },
  };
}
