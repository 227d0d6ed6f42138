/**
 * Adam's rescaling (Kingma & Ba 2015), as in PyTorch/optax:
 *   m ← β₁m + (1−β₁)u,  v ← β₂v + (1−β₂)u²,  t ← t+1,
 *   u ← m̂ / (√v̂ + ε)  with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 * Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8. The count lives in the state (not ctx.step) so bias
 * correction is right even when the transformation is used outside the trainer.
 */
import { add, div, mul, sqrt } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import { checkDecay, checkNonNegative } from './validate.ts';
import { treeZerosLike } from './tree-util.ts';
import { fusedAdam } from './fused.ts';

export interface AdamOptions {
  b1?: number;
  b2?: number;
  eps?: number;
}
export interface AdamState {
  count: number;
  mu: Tree;
  nu: Tree;
}

export function scaleByAdam(opts: AdamOptions = {}): GradientTransformation<AdamState> {
  const b1 = checkDecay('scaleByAdam', 'b1', opts.b1 ?? 0.9);
  const b2 = checkDecay('scaleByAdam', 'b2', opts.b2 ?? 0.999);
  const eps = checkNonNegative('scaleByAdam', 'eps', opts.eps ?? 1e-8);
  return {
    name: `scaleByAdam(b1=${b1}, b2=${b2}, eps=${eps})`,
    init: (params) => ({ count: 0, mu: treeZerosLike(params), nu: treeZerosLike(params) }),
    update: (g, state) => {
      const count = state.count + 1;
      const fused = fusedAdam(g, state.mu, state.nu, b1, b2, 1 / (1 - b1 ** count), 1 / (1 - b2 ** count), eps);
      if (fused) return [fused.out, { count, mu: fused.mu, nu: fused.nu }];
      // The op path (traced inputs, checkFinite on, or mismatched trees); fused.ts is bit-identical to it.
      const mu = treeMap((m, x) => add(mul(m, b1), mul(x, 1 - b1)), state.mu, g);
      const nu = treeMap((v, x) => add(mul(v, b2), mul(mul(x, x), 1 - b2)), state.nu, g);
      const c1 = 1 / (1 - b1 ** count);
      const c2 = 1 / (1 - b2 ** count);
      const out = treeMap((m, v) => div(mul(m, c1), add(sqrt(mul(v, c2)), eps)), mu, nu);
      return [out, { count, mu, nu }];
    },
  };
}
