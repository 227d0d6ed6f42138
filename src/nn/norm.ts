/**
 * Normalization layers.
 *
 * BatchNorm follows PyTorch exactly:
 * - training: normalize with the batch mean and the *biased* batch variance (1/n), then update
 *   running stats  mean ← (1−m)·mean + m·μ_B,  var ← (1−m)·var + m·σ²_B·n/(n−1)  (*unbiased*),
 *   where n = values per channel and m = momentum (PyTorch's convention, default 0.1; note
 *   Keras/Flax use the complementary 0.99).
 * - eval: normalize with the running stats from `ctx.state[name]` (an error if absent).
 * Running stats live in `ctx.state[name] = { mean: [C], var: [C] }` (plain data, checkpointed by
 * the trainer); `initState()` gives { [name]: { mean: zeros, var: ones } }. They are written as
 * constants (stopGradient): they are buffers, not functions of the parameters.
 * Affine params are { weight: [C] (ones), bias: [C] (zeros) }, PyTorch's names.
 */
import { Tensor, full } from '../tensor/tensor.ts';
import { add, mean, mul, reshape, sqrt, square, sub, div } from '../tensor/ops.ts';
import { stopGradient } from '../tensor/transforms.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';
import { isFloat, type FloatDType } from '../tensor/dtype.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx, type Layer, type ModelState } from './layer.ts';
import { checkFloatDType, checkName, checkParam, checkPositiveInt, checkSameDType, layerError } from './util.ts';

/** `weight`/`bias` are present exactly when the layer is affine. */
export type NormParams = { weight?: Tensor; bias?: Tensor };
export type BatchNormState = { mean: Tensor; var: Tensor };

export interface BatchNormOptions {
  name: string;
  /** Channels C (axis 1 of the input). */
  features: number;
  /** Weight of the new batch statistic in the running average (PyTorch convention). */
  momentum?: number;
  eps?: number;
  /** Learnable per-channel scale and shift (default true). */
  affine?: boolean;
  dtype?: FloatDType;
}

export type BatchNormLayer = Layer<NormParams> & {
  readonly features: number;
  readonly momentum: number;
  readonly eps: number;
  initState(): ModelState;
};

function batchNorm(kind: 'batchNorm1d' | 'batchNorm2d', ranks: readonly number[], layout: string, opts: BatchNormOptions): BatchNormLayer {
  const name = checkName(kind, opts?.name);
  const c = checkPositiveInt(kind, name, 'features', opts.features);
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (!(momentum >= 0 && momentum <= 1)) throw layerError(kind, name, `momentum must be in [0, 1], got ${momentum}`);
  if (!(eps >= 0)) throw layerError(kind, name, `eps must be ≥ 0, got ${eps}`);
  const affine = opts.affine ?? true;
  const dtype = checkFloatDType(kind, name, opts.dtype);
  const initial = (d: FloatDType = dtype): BatchNormState => ({ mean: full([c], 0, d), var: full([c], 1, d) });

  const readState = (st: unknown, x: Tensor): BatchNormState => {
    const s = st as Partial<BatchNormState> | undefined;
    for (const k of ['mean', 'var'] as const) {
      const t = s?.[k];
      if (!(t instanceof Tensor) || !shapesEqual(t.shape, [c]) || t.dtype !== x.dtype) {
        throw layerError(
          kind,
          name,
          `ctx.state['${name}'].${k} must be a ${x.dtype} Tensor of shape [${c}], got ${t instanceof Tensor ? `${t.dtype} ${fmt(t.shape)}` : String(t)}`,
        );
      }
    }
    return s as BatchNormState;
  };

  return {
    name,
    features: c,
    momentum,
    eps,
    init(_key: Key): NormParams {
      return affine ? { weight: full([c], 1, dtype), bias: full([c], 0, dtype) } : {};
    },
    initState(): ModelState {
      return { [name]: initial() };
    },
    apply(params: NormParams, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor)) throw layerError(kind, name, `input must be a Tensor, got ${typeof x}`);
      if (!ranks.includes(x.rank) || x.shape[1] !== c) throw layerError(kind, name, `expected input ${layout} with C = ${c}, got ${fmt(x.shape)}`);
      if (!isFloat(x.dtype)) throw layerError(kind, name, `expected a float input, got ${x.dtype} ${fmt(x.shape)}`);
      const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
      const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
      let mu: Tensor;
      let v: Tensor;
      let centered: Tensor | undefined;
      if (ctx.training) {
        const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
        if (n < 2) throw layerError(kind, name, `training needs more than 1 value per channel, got input ${fmt(x.shape)}`);
        mu = mean(x, axes, { keepdims: true });
        centered = sub(x, mu);
        v = mean(square(centered), axes, { keepdims: true }); // biased, for normalization
        if (ctx.state) {
          const prev = ctx.state[name] === undefined ? initial(x.dtype as FloatDType) : readState(ctx.state[name], x);
          const batchMean = reshape(stopGradient(mu), [c]);
          const batchVar = mul(reshape(stopGradient(v), [c]), n / (n - 1)); // unbiased, for running stats
          ctx.state[name] = stopGradient({
            mean: add(mul(prev.mean, 1 - momentum), mul(batchMean, momentum)),
            var: add(mul(prev.var, 1 - momentum), mul(batchVar, momentum)),
          });
        }
      } else {
        const st = ctx.state?.[name];
        if (st === undefined) {
          throw layerError(
            kind,
            name,
            `eval mode needs running statistics in ctx.state['${name}'] (use the model's initState() or the state returned by training)`,
          );
        }
        const s = readState(st, x);
        mu = reshape(s.mean, bshape);
        v = reshape(s.var, bshape);
      }
      // (x − μ)·(γ/√(v + ε)) + β: the per-channel factor is folded first, so the full-size tensor
      // sees one multiply (and one add) instead of a divide and a multiply. Each full-size
      // intermediate is a fresh array here and in the backward pass; fewer of them is most of a
      // BatchNorm MLP's step time (allocation and the GC it provokes).
      let scale = div(1, sqrt(add(v, eps)));
      let shift: Tensor | undefined;
      if (affine) {
        const w = checkParam(kind, name, params, 'weight', [c]);
        shift = checkParam(kind, name, params, 'bias', [c]);
        checkSameDType(kind, name, x, w);
        scale = mul(scale, reshape(w, bshape));
      }
      const y = mul(centered ?? sub(x, mu), scale);
      return shift ? add(y, reshape(shift, bshape)) : y;
    },
  };
}

/** BatchNorm over [N, C] or [N, C, L] (statistics per channel C over N and L). */
export function batchNorm1d(opts: BatchNormOptions): BatchNormLayer {
  return batchNorm('batchNorm1d', [2, 3], '[batch, C] or [batch, C, L]', opts);
}

/** BatchNorm over NCHW [N, C, H, W] (statistics per channel over N, H, W). */
export function batchNorm2d(opts: BatchNormOptions): BatchNormLayer {
  return batchNorm('batchNorm2d', [4], '[batch, C, H, W] (NCHW)', opts);
}

export interface LayerNormOptions {
  name: string;
  /** The trailing dims normalized over (PyTorch's normalized_shape). */
  shape: number | readonly number[];
  eps?: number;
  /** Learnable elementwise weight (ones) and bias (zeros) of `shape` (default true). */
  affine?: boolean;
  dtype?: FloatDType;
}

export type LayerNormLayer = Layer<NormParams> & { readonly shape: readonly number[] };

/** LayerNorm: per example, normalize over the trailing `shape` dims (biased variance); same in train and eval. */
export function layerNorm(opts: LayerNormOptions): LayerNormLayer {
  const K = 'layerNorm';
  const name = checkName(K, opts?.name);
  const shape = typeof opts.shape === 'number' ? [opts.shape] : [...(opts.shape ?? [])];
  if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0))
    throw layerError(K, name, `shape must be a positive integer or a non-empty list of them, got ${JSON.stringify(opts.shape)}`);
  const eps = opts.eps ?? 1e-5;
  const affine = opts.affine ?? true;
  const dtype = checkFloatDType(K, name, opts.dtype);
  return {
    name,
    shape,
    init(_key: Key): NormParams {
      return affine ? { weight: full(shape, 1, dtype), bias: full(shape, 0, dtype) } : {};
    },
    apply(params: NormParams, x: Tensor, _ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor)) throw layerError(K, name, `input must be a Tensor, got ${typeof x}`);
      if (!isFloat(x.dtype)) throw layerError(K, name, `expected a float input, got ${x.dtype} ${fmt(x.shape)}`);
      const k = shape.length;
      if (x.rank < k || !shapesEqual(x.shape.slice(x.rank - k), shape)) {
        throw layerError(K, name, `expected input [..., ${shape.join(', ')}], got ${fmt(x.shape)}`);
      }
      const axes = shape.map((_, i) => x.rank - k + i);
      const mu = mean(x, axes, { keepdims: true });
      const centered = sub(x, mu);
      const v = mean(square(centered), axes, { keepdims: true });
      let y = div(centered, sqrt(add(v, eps)));
      if (affine) {
        const w = checkParam(K, name, params, 'weight', shape);
        checkSameDType(K, name, x, w);
        y = add(mul(y, w), checkParam(K, name, params, 'bias', shape));
      }
      return y;
    },
  };
}
