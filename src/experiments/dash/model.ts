/** The official `mlp` model's shape: Linear → BatchNorm1d → ReLU per hidden layer, then a linear head. */
import { linear } from '../../nn/linear.ts';
import { batchNorm1d } from '../../nn/norm.ts';
import { relu } from '../../nn/activations.ts';
import { sequential, type SequentialLayer } from '../../nn/sequential.ts';

export function bnMlp(sizes: readonly number[]): SequentialLayer {
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(linear({ name: `dense${i}`, in: sizes[i]!, out: sizes[i + 1]! }));
    if (i + 2 < sizes.length) layers.push(batchNorm1d({ name: `bn${i}`, features: sizes[i + 1]! }), relu({ name: `act${i}` }));
  }
  return sequential('bn-mlp', layers);
}
