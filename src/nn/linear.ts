/**
 * Fully connected layer: y = x·w + b with x [batch, in], w [in, out], b [out].
 * The weight is stored [in, out] (not PyTorch's [out, in]) so the forward pass is a plain
 * x·w with no transpose; K-FAC's factors are then A = xᵀx/n (in×in) and G (out×out).
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, matmul } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { FloatDType } from '../tensor/dtype.ts';
import { EVAL, type ApplyCtx, type Layer } from './layer.ts';
import { pytorchLinearDefault, uniformBias, type Initializer } from './init.ts';
import { checkFloatDType, checkInput, checkName, checkParam, checkPositiveInt, checkSameDType, layerError } from './util.ts';

/** `b` is present exactly when the layer has a bias. */
export type LinearParams = { w: Tensor; b?: Tensor };

export interface LinearOptions {
  name?: string;
  in: number;
  out: number;
  /** Add a bias (default true); without it params are just { w }. */
  bias?: boolean;
  /** Weight initializer (default: PyTorch's, U(±1/√in)). */
  init?: Initializer;
  /** Bias initializer (default: PyTorch's, U(±1/√in)). */
  biasInit?: Initializer;
  dtype?: FloatDType;
}

export type LinearLayer = Layer<LinearParams> & { readonly in: number; readonly out: number; readonly bias: boolean };

export function linear(opts: LinearOptions): LinearLayer {
  const name = checkName('linear', opts.name ?? 'linear');
  const nIn = checkPositiveInt('linear', name, 'in', opts.in);
  const nOut = checkPositiveInt('linear', name, 'out', opts.out);
  const bias = opts.bias ?? true;
  const dtype = checkFloatDType('linear', name, opts.dtype);
  const wInit = opts.init ?? pytorchLinearDefault;
  const bInit = opts.biasInit ?? uniformBias(nIn);

  return {
    name,
    in: nIn,
    out: nOut,
    bias,
    init(key: Key): LinearParams {
      const [kw, kb] = random.split(key, 2) as [Key, Key];
      const w = wInit(kw, [nIn, nOut], { dtype });
      if (!bias) return { w };
      return { w, b: bInit(kb, [nOut], { dtype }) };
    },
    apply(params: LinearParams, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
      checkInput('linear', name, x, 2, `[batch, ${nIn}]`);
      if (x.shape[1] !== nIn) throw layerError('linear', name, `expected input [batch, ${nIn}], got [${x.shape.join(', ')}]`);
      const w = checkParam('linear', name, params, 'w', [nIn, nOut]);
      checkSameDType('linear', name, x, w);
      const b = bias ? checkParam('linear', name, params, 'b', [nOut]) : undefined;
      const pre = b ? add(matmul(x, w), b) : matmul(x, w);
      // The tap sees the very weight/bias tensors of the params tree (the trainer finds their
      // paths by identity) and its result replaces the pre-activation.
      if (!ctx.tap) return pre;
      return ctx.tap({ name, kind: { type: 'linear', bias }, input: x, preActivation: pre, weight: w, bias: b });
    },
  };
}
