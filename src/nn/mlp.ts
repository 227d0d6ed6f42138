/**
 * Multi-layer perceptron: sequential(name, [dense0, act0, dense1, act1, …, denseL−1]) with
 * linear layers 'dense0', 'dense1', … and activations 'act0', … between them (none after the
 * last layer: it outputs logits). Params follow sequential's array layout, so dense layer i's
 * params are params[2i] = { w: [sizes[i], sizes[i+1]], b: [sizes[i+1]] }.
 */
import type { FloatDType } from '../tensor/dtype.ts';
import { linear } from './linear.ts';
import { activation, type ActivationName } from './activations.ts';
import { sequential, type SequentialLayer } from './sequential.ts';
import type { Initializer } from './init.ts';

export interface MlpOptions {
  name?: string;
  /** Widths from input to output, e.g. [784, 256, 10]. */
  sizes: readonly number[];
  activation?: ActivationName;
  /** Weight initializer of every dense layer (default PyTorch's, see init.ts). */
  init?: Initializer;
  biasInit?: Initializer;
  dtype?: FloatDType;
  bias?: boolean;
}

export function mlp(opts: MlpOptions): SequentialLayer {
  const name = opts.name ?? 'mlp';
  const sizes = opts.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`mlp '${name}': sizes must list at least 2 positive integer widths (input … output), got ${JSON.stringify(sizes)}`);
  }
  const act = opts.activation ?? 'relu';
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(linear({ name: `dense${i}`, in: sizes[i]!, out: sizes[i + 1]!, bias: opts.bias, init: opts.init, biasInit: opts.biasInit, dtype: opts.dtype }));
    if (i + 2 < sizes.length) layers.push(activation(act, { name: `act${i}` }));
  }
  return sequential(name, layers);
}
