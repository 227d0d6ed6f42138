/**
 * The ℋ_K-norm penalty (λ/2)‖W‖²_{ℋ_K} = (λ/2)·Σ_m ‖w_m‖²/μ_m, with the neuron index on the
 * last axis of every leaf (model.ts). As a trainer `Regularizer` it is differentiable (GD + weight
 * decay and reporting the objective F); the GLD step handles it implicitly instead.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { add, mul, sum } from '../../tensor/ops.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import type { Regularizer } from '../../train/train-step.ts';
import { checkMu } from './spectrum.ts';

/** 1/μ_m laid out for a leaf whose last axis is the neuron index; throws when the last axis is not M. */
export function inverseMuFor(op: string, leaf: Tensor, mu: Float64Array): Tensor {
  const M = mu.length;
  if (leaf.rank < 1 || leaf.shape[leaf.rank - 1] !== M)
    throw new Error(`${op}: every parameter leaf must have the neuron index (length M = ${M}) as its last axis, got shape [${leaf.shape.join(', ')}]`);
  return new Tensor(
    mu.map((m) => 1 / m),
    [M],
  );
}

export function hilbertRegularizer(lambda: number, muIn: ArrayLike<number>): Regularizer {
  const op = 'langevin.hilbertRegularizer';
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) throw new Error(`${op}: lambda must be a finite number ≥ 0, got ${String(lambda)}`);
  const mu = checkMu(op, muIn);
  return (params: Tree) => {
    let total: Tensor | undefined;
    for (const leaf of treeFlatten(params).leaves) {
      const term = sum(mul(mul(leaf, leaf), inverseMuFor(op, leaf, mu)));
      total = total ? add(total, term) : term;
    }
    return mul(total ?? new Tensor(new Float64Array([0]), []), lambda / 2);
  };
}
