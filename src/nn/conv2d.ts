/**
 * 2-D convolution layer over NCHW inputs (cross-correlation, as PyTorch): x [N, C, H, W],
 * w [O, C, kh, kw], b [O] → y [N, O, OH, OW] with OH = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, conv2d as conv2dOp, reshape } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { FloatDType } from '../tensor/dtype.ts';
import { fmt } from '../tensor/shape.ts';
import { EVAL, type ApplyCtx, type Layer, type TapKind } from './layer.ts';
import { pytorchLinearDefault, uniformBias, type Initializer } from './init.ts';
import { checkFloatDType, checkInput, checkName, checkParam, checkPositiveInt, checkSameDType, layerError, toPair, type Pair } from './util.ts';

/** `b` is present exactly when the layer has a bias. */
export type Conv2dParams = { w: Tensor; b?: Tensor };

export interface Conv2dLayerOptions {
  name?: string;
  inChannels: number;
  outChannels: number;
  kernel: number | readonly [number, number];
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  bias?: boolean;
  /** Weight initializer (default: PyTorch's, U(±1/√(C·kh·kw))). */
  init?: Initializer;
  biasInit?: Initializer;
  dtype?: FloatDType;
}

export type Conv2dLayer = Layer<Conv2dParams> & {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly bias: boolean;
};

export function conv2d(opts: Conv2dLayerOptions): Conv2dLayer {
  const K = 'conv2d';
  const name = checkName(K, opts.name ?? 'conv2d');
  const c = checkPositiveInt(K, name, 'inChannels', opts.inChannels);
  const o = checkPositiveInt(K, name, 'outChannels', opts.outChannels);
  if (opts.kernel === undefined) throw layerError(K, name, 'kernel is required');
  const kernel = toPair(K, name, 'kernel', opts.kernel, 1, 1);
  const stride = toPair(K, name, 'stride', opts.stride, 1, 1);
  const padding = toPair(K, name, 'padding', opts.padding, 0, 0);
  const dilation = toPair(K, name, 'dilation', opts.dilation, 1, 1);
  const bias = opts.bias ?? true;
  const dtype = checkFloatDType(K, name, opts.dtype);
  const wShape = [o, c, kernel[0], kernel[1]];
  const wInit = opts.init ?? pytorchLinearDefault;
  const bInit = opts.biasInit ?? uniformBias(c * kernel[0] * kernel[1]);
  const kind: TapKind = { type: 'conv2d', bias, kernel, stride, padding, dilation };

  return {
    name,
    inChannels: c,
    outChannels: o,
    kernel,
    stride,
    padding,
    dilation,
    bias,
    init(key: Key): Conv2dParams {
      const [kw, kb] = random.split(key, 2) as [Key, Key];
      const w = wInit(kw, wShape, { dtype });
      if (!bias) return { w };
      return { w, b: bInit(kb, [o], { dtype }) };
    },
    apply(params: Conv2dParams, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
      checkInput(K, name, x, 4, `[batch, ${c}, H, W] (NCHW)`);
      if (x.shape[1] !== c) throw layerError(K, name, `expected ${c} input channels (NCHW [batch, ${c}, H, W]), got ${fmt(x.shape)}`);
      const effH = dilation[0] * (kernel[0] - 1) + 1;
      const effW = dilation[1] * (kernel[1] - 1) + 1;
      if (x.shape[2]! + 2 * padding[0] < effH || x.shape[3]! + 2 * padding[1] < effW) {
        throw layerError(K, name, `input ${fmt(x.shape)} is smaller than the (dilated) kernel ${effH}×${effW} even with padding ${padding.join('×')}`);
      }
      const w = checkParam(K, name, params, 'w', wShape);
      checkSameDType(K, name, x, w);
      const b = bias ? checkParam(K, name, params, 'b', [o]) : undefined;
      const y = conv2dOp(x, w, { stride, padding, dilation });
      const pre = b ? add(y, reshape(b, [1, o, 1, 1])) : y;
      if (!ctx.tap) return pre;
      return ctx.tap({ name, kind, input: x, preActivation: pre, weight: w, bias: b });
    },
  };
}
