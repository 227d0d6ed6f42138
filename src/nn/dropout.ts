/**
 * Inverted dropout: in training each element is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so the expected output equals the input and eval mode is the identity.
 * The mask comes from foldIn(ctx.key, name): the same step key gives the same mask, and
 * two dropout layers in one model (different names) draw different masks from one ctx.key.
 */
import { Tensor, zerosLike } from '../tensor/tensor.ts';
import { div, where, mul } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx, type Layer } from './layer.ts';
import { checkName, foldName, layerError } from './util.ts';

export type DropoutLayer = Layer<Record<string, never>> & { readonly rate: number };

export function dropout(opts: { name: string; rate: number }): DropoutLayer {
  const name = checkName('dropout', opts?.name);
  const rate = opts.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw layerError('dropout', name, `rate must be in [0, 1], got ${JSON.stringify(rate)}`);
  return {
    name,
    rate,
    init: (_key: Key) => ({}),
    apply(_params, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor)) throw layerError('dropout', name, `input must be a Tensor, got ${typeof x}`);
      if (!ctx.training || rate === 0) return x;
      if (ctx.key === undefined) throw layerError('dropout', name, `training with rate ${rate} needs ctx.key (randomness comes only from keys)`);
      // rate 1 drops everything; multiplying by 0 keeps the graph (and NaN propagation) intact.
      if (rate === 1) return mul(x, zerosLike(x));
      const keep = random.bernoulli(foldName(ctx.key, name), 1 - rate, x.shape);
      return where(keep, div(x, 1 - rate), 0);
    },
  };
}
