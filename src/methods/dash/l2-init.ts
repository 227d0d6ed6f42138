/**
 * l2-init (official `l2_init`): loss + c·(Σ_leaves ‖W − W₀‖_F)² — the square of the *sum* of the
 * per-tensor norms, as the official code has it (not Σ‖W − W₀‖²), over every parameter tensor
 * (our reading of its loop over `model.parameters()`). The norm is √(‖·‖² + 1e-24): at W = W₀ the
 * plain √ has an infinite derivative (PyTorch returns a zero subgradient there); the offset moves
 * each norm by at most 1e-12.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { add, mul, sqrt, square, sub, sum } from '../../tensor/ops.ts';
import { stopGradient, treeFlatten, type Tree } from '../../tensor/tree.ts';
import type { Regularizer } from '../../train/train-step.ts';

export function l2InitRegularizer<P extends Tree>(initial: P, c: number): Regularizer<P> {
  if (!(typeof c === 'number' && c >= 0 && Number.isFinite(c))) throw new Error(`l2-init: c must be a finite number ≥ 0, got ${String(c)}`);
  const w0 = treeFlatten(stopGradient(initial)).leaves;
  const reg = (params: P): Tensor => {
    const leaves = treeFlatten(params).leaves;
    let total: Tensor | undefined;
    leaves.forEach((w, i) => {
      const norm = sqrt(add(sum(square(sub(w, w0[i]!))), 1e-24));
      total = total === undefined ? norm : add(total, norm);
    });
    return mul(square(total!), c);
  };
  return Object.defineProperty(reg, 'name', { value: 'l2Init' });
}
