/**
 * The Hessian of a loss over a parameter tree as a LinearOperator on flat float64 vectors
 * (treeLayout's order = grad's leaf order). Each matvec is one Hessian-vector product by
 * forward-over-reverse (`hvp` of tensor/), exact to rounding.
 *   - hessianOperator: the Hessian of loss(params, batch) on one batch (a mini-batch Hessian);
 *   - fullBatchHessianOperator: of the mean loss over a whole dataset, summed over chunks
 *     (Σ_c n_c/n · H_c) so only one chunk's autodiff graph lives at a time.
 */
import { hvp } from '../tensor/transforms.ts';
import { slice } from '../tensor/ops.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import type { LinearOperator } from './operator.ts';
import { treeLayout, type TreeLayout } from './flat.ts';

export interface HessianOperator<P extends Tree> extends LinearOperator {
  /** How flat vectors map to parameter trees (unflatten a Ritz vector with `layout.unflatten`). */
  readonly layout: TreeLayout<P>;
}

/** loss(params, batch) must return a scalar; params are held fixed (the point the Hessian is taken at). */
export function hessianOperator<P extends Tree, B>(loss: (params: P, batch: B) => Tensor, params: P, batch: B): HessianOperator<P> {
  return chunkedOperator('hessianOperator', loss, params, [{ batch, weight: 1 }]);
}

export interface ExamplesLike {
  readonly x: Tensor;
  readonly y: Tensor;
}

/**
 * The Hessian of the mean loss over all of `data` (loss must be a mean over its batch): chunks of
 * `chunkSize` rows (default 1000) are weighted by their share of the examples.
 */
export function fullBatchHessianOperator<P extends Tree>(
  loss: (params: P, batch: ExamplesLike) => Tensor,
  params: P,
  data: ExamplesLike,
  opts: { chunkSize?: number } = {},
): HessianOperator<P> {
  const R = 'fullBatchHessianOperator';
  const n = data.x.shape[0]!;
  if (!(n >= 1) || data.y.shape[0] !== n)
    throw new Error(`${R}: x and y must hold the same number (≥ 1) of examples, got ${data.x.shape[0]} and ${data.y.shape[0]}`);
  const size = opts.chunkSize ?? 1000;
  if (!Number.isInteger(size) || size < 1) throw new Error(`${R}: chunkSize must be a positive integer, got ${size}`);
  const rows = (t: Tensor, a: number, b: number): Tensor => slice(t, [a, ...t.shape.slice(1).map(() => 0)], [b, ...t.shape.slice(1)]);
  const chunks: { batch: ExamplesLike; weight: number }[] = [];
  for (let a = 0; a < n; a += size) {
    const b = Math.min(n, a + size);
    chunks.push({ batch: { x: rows(data.x, a, b), y: rows(data.y, a, b) }, weight: (b - a) / n });
  }
  return chunkedOperator(R, loss, params, chunks);
}

function chunkedOperator<P extends Tree, B>(
  routine: string,
  loss: (params: P, batch: B) => Tensor,
  params: P,
  chunks: { batch: B; weight: number }[],
): HessianOperator<P> {
  if (typeof loss !== 'function') throw new Error(`${routine}: loss must be a function (params, batch) → scalar Tensor`);
  const layout = treeLayout(params);
  return {
    size: layout.size,
    name: routine,
    layout,
    matvec(v: Float64Array): Float64Array {
      if (v.length !== layout.size) throw new Error(`${routine}: vector of length ${v.length}, the parameters have ${layout.size} entries`);
      const tangent = layout.unflatten(v);
      if (chunks.length === 1) return layout.flatten(hvp((p: P) => loss(p, chunks[0]!.batch), params, tangent));
      const out = new Float64Array(layout.size);
      for (const { batch, weight } of chunks) {
        const part = layout.flatten(hvp((p: P) => loss(p, batch), params, tangent));
        for (let i = 0; i < out.length; i++) out[i]! += weight * part[i]!;
      }
      return out;
    },
  };
}
