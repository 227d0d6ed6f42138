/**
 * DASH's gradient pass (official `dash`): over the accumulated data in chunk order (oldest first,
 * unshuffled) in batches of `batchSize` (default: the chunk size, i.e. one batch per chunk), with
 * the model in eval mode (BatchNorm normalizes with its running statistics and updates nothing),
 * G ← (1 − α)·G + α·(−∇ CE(batch)), G₀ = 0. The newest batch weighs α, one k batches older α(1−α)^k.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { add, mul } from '../../tensor/ops.ts';
import { softmaxCrossEntropy } from '../../tensor/composed.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import { treeMap, type Tree } from '../../tensor/tree.ts';
import { concat } from '../../tensor/ops.ts';
import { rowRange } from '../../data/step-batches.ts';
import type { ModelState } from '../../nn/layer.ts';
import type { Examples, Model } from '../../train/train-step.ts';

export function checkAlpha(alpha: number): void {
  if (!(typeof alpha === 'number' && alpha > 0 && alpha <= 1)) throw new Error(`DASH: α (alpha) must be in (0, 1], got ${String(alpha)}`);
}

export interface GradientEma<P extends Tree> {
  /** The EMA of the negative gradient. */
  negGrad: P;
  /** Forward+backward passes run (batches) and the examples they covered. */
  batches: number;
  examples: number;
}

/** `chunks` in the order the EMA sees them (the last one weighs most). */
export function negativeGradientEma<P extends Tree>(
  model: Model<P>,
  params: P,
  modelState: ModelState,
  chunks: readonly Examples[],
  opts: { alpha: number; batchSize?: number },
): GradientEma<P> {
  checkAlpha(opts.alpha);
  if (chunks.length === 0) throw new Error('DASH: the gradient pass needs at least one chunk');
  const x =
    chunks.length === 1
      ? chunks[0]!.x
      : concat(
          chunks.map((c) => c.x),
          0,
        );
  const y =
    chunks.length === 1
      ? chunks[0]!.y
      : concat(
          chunks.map((c) => c.y),
          0,
        );
  const n = x.shape[0]!;
  const bs = opts.batchSize ?? chunks[0]!.x.shape[0]!;
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`DASH: the gradient pass's batchSize must be a positive integer, got ${String(bs)}`);
  const alpha = opts.alpha;
  let g: P | undefined;
  let batches = 0;
  for (let start = 0; start < n; start += bs) {
    const end = Math.min(n, start + bs);
    const xb = rowRange(x, start, end);
    const yb = rowRange(y, start, end);
    // A scratch copy of the buffers: eval mode reads them and must not write them.
    const loss = (p: P): Tensor => softmaxCrossEntropy(model.apply(p, xb, { training: false, state: { ...modelState } }), yb);
    const { grads } = valueAndGrad(loss)(params);
    g = g === undefined ? treeMap((gi) => mul(gi, -alpha), grads) : treeMap((prev, gi) => add(mul(prev, 1 - alpha), mul(gi, -alpha)), g, grads);
    batches++;
  }
  return { negGrad: g!, batches, examples: n };
}
