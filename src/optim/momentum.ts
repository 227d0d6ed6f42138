/**
 * Heavy-ball momentum in PyTorch's form (no dampening): buf ← μ·buf + u, output buf; with
 * `nesterov`, output u + μ·buf (PyTorch's Nesterov). buf starts at zero, so step 0 outputs u.
 * Followed by scaleByLearningRate(η) this is θ ← θ − η·buf: the effective step is η/(1−μ).
 */
import { add, mul } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkDecay } from './validate.ts';
import { treeZerosLike } from './tree-util.ts';
import { fusedTrace } from './fused.ts';

export interface MomentumState {
  trace: Tree;
}

export function traceMomentum(mu: number, opts: { nesterov?: boolean } = {}): GradientTransformation<MomentumState> {
  checkDecay('traceMomentum', 'momentum μ', mu);
  const nesterov = opts.nesterov ?? false;
  return {
    name: `traceMomentum(${mu}${nesterov ? ', nesterov' : ''})`,
    init: (params) => ({ trace: treeZerosLike(params) }),
    update: (g, state) => {
      const fused = fusedTrace(g, state.trace, mu, nesterov);
      if (fused) return [fused.out, { trace: fused.trace }];
      const trace = treeMap((b, x) => add(mul(b, mu), x), state.trace, g);
      const out = nesterov ? treeMap((x, b) => add(x, mul(b, mu)), g, trace) : trace;
      return [out, { trace }];
    },
  };
}
