/** DASH = the gradient pass + the shrink, on the current (warm) parameters; BatchNorm and optimizer state untouched. */
import type { Tree } from '../../tensor/tree.ts';
import type { ModelState } from '../../nn/layer.ts';
import type { Examples, Model } from '../../train/train-step.ts';
import { negativeGradientEma } from './gradient-ema.ts';
import { dashShrink } from './shrink.ts';
import type { WeightSite } from './sites.ts';

export interface DashOptions {
  /** Floor of the per-slice scale, in (0, 1]; 1 = no shrink (warm). Official default 0.3. */
  lambda: number;
  /** EMA weight of the newest batch, in (0, 1]. Official default 0.3. */
  alpha: number;
  /** Gradient-pass batch size (default: the chunk size, one batch per chunk as in the official code). */
  batchSize?: number;
  /** Chunk order of the gradient pass: 'oldest-first' (official; the newest chunk weighs most) or 'newest-first'. */
  order?: 'oldest-first' | 'newest-first';
}

export interface DashResult<P extends Tree> {
  params: P;
  scales: Record<string, number[]>;
  /** Forward+backward cost of the gradient pass: batches and examples. */
  batches: number;
  examples: number;
}

/** `seen`: chunks 1..j, oldest first (the new chunk last). */
export function dashStep<P extends Tree>(
  model: Model<P>,
  params: P,
  modelState: ModelState,
  seen: readonly Examples[],
  sites: readonly WeightSite[],
  o: DashOptions,
): DashResult<P> {
  const order = o.order ?? 'oldest-first';
  if (order !== 'oldest-first' && order !== 'newest-first') throw new Error(`DASH: order must be 'oldest-first' or 'newest-first', got ${String(order)}`);
  const chunks = order === 'oldest-first' ? seen : [...seen].reverse();
  const ema = negativeGradientEma(model, params, modelState, chunks, { alpha: o.alpha, batchSize: o.batchSize });
  const { params: shrunk, scales } = dashShrink(params, ema.negGrad, sites, o.lambda);
  return { params: shrunk, scales, batches: ema.batches, examples: ema.examples };
}
