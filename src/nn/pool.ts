/** Pooling layers over NCHW (parameter-free): max and average, stride defaulting to the kernel size. */
import { Tensor } from '../tensor/tensor.ts';
import { avgPool2d as avgPoolOp, maxPool2d as maxPoolOp } from '../tensor/ops.ts';
import { fmt } from '../tensor/shape.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx } from './layer.ts';
import type { ParamFreeLayer } from './activations.ts';
import { checkName, layerError, toPair } from './util.ts';

export interface PoolLayerOptions {
  name?: string;
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

function pool(kind: 'maxPool2d' | 'avgPool2d', op: typeof maxPoolOp, opts: PoolLayerOptions): ParamFreeLayer {
  const name = checkName(kind, opts?.name ?? kind);
  if (opts.kernel === undefined) throw layerError(kind, name, 'kernel is required');
  const kernel = toPair(kind, name, 'kernel', opts.kernel, 1, 1);
  const s = opts.stride === undefined ? kernel : toPair(kind, name, 'stride', opts.stride, 1, 1);
  const padding = toPair(kind, name, 'padding', opts.padding, 0, 0);
  return {
    name,
    init: (_key: Key) => ({}),
    apply(_params, x: Tensor, _ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor) || x.rank !== 4)
        throw layerError(kind, name, `expected input [batch, C, H, W] (NCHW), got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`);
      if (x.shape[2]! + 2 * padding[0] < kernel[0] || x.shape[3]! + 2 * padding[1] < kernel[1]) {
        throw layerError(kind, name, `input ${fmt(x.shape)} is smaller than the kernel ${kernel.join('×')}`);
      }
      return op(x, kernel, { stride: s, padding });
    },
  };
}

export const maxPool2d = (opts: PoolLayerOptions): ParamFreeLayer => pool('maxPool2d', maxPoolOp, opts);
/** Zero padding counts in the mean (PyTorch's default count_include_pad=True). */
export const avgPool2d = (opts: PoolLayerOptions): ParamFreeLayer => pool('avgPool2d', avgPoolOp, opts);
