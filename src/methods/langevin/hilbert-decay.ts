/**
 * Explicit ℋ_K weight decay: u ← u + λ·θ/μ_m (the gradient of (λ/2)‖θ‖²_{ℋ_K}), neuron index on
 * the last axis. Chained before `optim.langevin` it is the *explicit* Euler discretisation of
 * the same SDE as `gld`, which diverges once η > 2μ_M/λ (tests show it); kept for that contrast.
 */
import { add, mul } from '../../tensor/ops.ts';
import { treeMap, type Tree } from '../../tensor/tree.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { EMPTY, type EmptyState } from '../../optim/tree-util.ts';
import { checkMu } from './spectrum.ts';
import { inverseMuFor } from './regularizer.ts';

export function addHilbertDecay(lambda: number, muIn: ArrayLike<number>): GradientTransformation<EmptyState> {
  const op = 'langevin.addHilbertDecay';
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new Error(`${op}: prior strength λ must be a finite number ≥ 0, got ${String(lambda)}`);
  const mu = checkMu(op, muIn);
  return {
    name: `addHilbertDecay(${lambda})`,
    init: () => EMPTY,
    update: (g: Tree, state, ctx) => {
      if (!ctx?.params) throw new Error(`${op}: ctx.params is missing`);
      return [treeMap((u: Tensor, p: Tensor) => add(u, mul(mul(p, inverseMuFor(op, p, mu)), lambda)), g, ctx.params), state];
    },
  };
}
