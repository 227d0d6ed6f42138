/**
 * Weight initializers. Each takes an explicit key, a shape and options, and returns a fresh
 * Tensor; the same key always gives the same weights.
 *
 * Conventions (PyTorch-equivalent, `torch.nn.init`):
 * - Fans: a linear weight here is stored [in, out] (transposed w.r.t. PyTorch's [out, in]), so
 *   fanIn = shape[0], fanOut = shape[1]. A conv weight [O, C, kh, kw] (same layout as PyTorch)
 *   has fanIn = C·kh·kw and fanOut = O·kh·kw. Other ranks ≥ 3 are treated as [O, C, ...spatial].
 *   Rank 0 and 1 have no fans (as in PyTorch) and are rejected.
 * - Gains follow `calculateGain`: linear/identity/sigmoid 1, tanh 5/3, relu √2,
 *   leakyRelu √(2/(1+slope²)), selu 3/4.
 * - kaiming*: He et al. 2015, std = gain/√fan (default mode 'fanIn', nonlinearity 'relu').
 * - xavier*: Glorot & Bengio 2010, std = gain·√(2/(fanIn+fanOut)).
 * - lecunNormal: std = 1/√fanIn, untruncated (JAX's lecun_normal truncates; we do not).
 * - Uniform variants draw U(−a, a) with a = √3·std, so the std matches the normal variant.
 * - `pytorchLinearDefault`: what torch.nn.Linear / Conv2d do by default,
 *   kaiming_uniform(a=√5) = U(−1/√fanIn, 1/√fanIn); used as this package's layer default.
 */
import { full, type Tensor } from '../tensor/tensor.ts';
import { fmt } from '../tensor/shape.ts';
import type { FloatDType } from '../tensor/dtype.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';

export interface InitOptions {
  dtype?: FloatDType;
}

/** What layers accept as `init`: (key, shape, { dtype }) → Tensor. Every initializer below fits. */
export type Initializer = (key: Key, shape: readonly number[], opts?: InitOptions) => Tensor;

export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, negativeSlope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** fanIn/fanOut of a weight shape; see the conventions above. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`init: cannot compute fans of shape ${fmt(shape)} (need rank ≥ 2: [in, out] or [out, in, ...kernel])`);
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

function positiveFan(op: string, fan: number, shape: readonly number[]): number {
  if (!(fan > 0)) throw new Error(`${op}: fan is ${fan} for shape ${fmt(shape)}; cannot scale by it`);
  return fan;
}

function normalWithStd(key: Key, shape: readonly number[], std: number, dtype: FloatDType | undefined): Tensor {
  return random.normal(key, shape, { std, dtype: dtype ?? 'float64' });
}

function uniformWithStd(key: Key, shape: readonly number[], std: number, dtype: FloatDType | undefined): Tensor {
  const a = Math.sqrt(3) * std;
  return random.uniform(key, shape, { low: -a, high: a, dtype: dtype ?? 'float64' });
}

export interface KaimingOptions extends InitOptions {
  /** 'fanIn' preserves the forward variance (default), 'fanOut' the backward one. */
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
  /** Slope for 'leakyRelu' (PyTorch's `a`). */
  negativeSlope?: number;
  /** Overrides the gain computed from `nonlinearity`. */
  gain?: number;
}

function kaimingStd(op: string, shape: readonly number[], o: KaimingOptions): number {
  const fans = computeFans(shape);
  const fan = positiveFan(op, o.mode === 'fanOut' ? fans.fanOut : fans.fanIn, shape);
  const gain = o.gain ?? calculateGain(o.nonlinearity ?? 'relu', o.negativeSlope);
  return gain / Math.sqrt(fan);
}

/** He normal: N(0, gain²/fan), gain √2 (ReLU) by default. */
export function kaimingNormal(key: Key, shape: readonly number[], opts: KaimingOptions = {}): Tensor {
  return normalWithStd(key, shape, kaimingStd('kaimingNormal', shape, opts), opts.dtype);
}

/** He uniform: U(−gain·√(3/fan), gain·√(3/fan)). */
export function kaimingUniform(key: Key, shape: readonly number[], opts: KaimingOptions = {}): Tensor {
  return uniformWithStd(key, shape, kaimingStd('kaimingUniform', shape, opts), opts.dtype);
}

export interface XavierOptions extends InitOptions {
  gain?: number;
}

function xavierStd(op: string, shape: readonly number[], o: XavierOptions): number {
  const { fanIn, fanOut } = computeFans(shape);
  return (o.gain ?? 1) * Math.sqrt(2 / positiveFan(op, fanIn + fanOut, shape));
}

/** Glorot normal: N(0, gain²·2/(fanIn+fanOut)). */
export function xavierNormal(key: Key, shape: readonly number[], opts: XavierOptions = {}): Tensor {
  return normalWithStd(key, shape, xavierStd('xavierNormal', shape, opts), opts.dtype);
}

/** Glorot uniform: U(−a, a), a = gain·√(6/(fanIn+fanOut)). */
export function xavierUniform(key: Key, shape: readonly number[], opts: XavierOptions = {}): Tensor {
  return uniformWithStd(key, shape, xavierStd('xavierUniform', shape, opts), opts.dtype);
}

/** LeCun normal: N(0, 1/fanIn) (self-normalizing nets; untruncated). */
export function lecunNormal(key: Key, shape: readonly number[], opts: InitOptions = {}): Tensor {
  const fanIn = positiveFan('lecunNormal', computeFans(shape).fanIn, shape);
  return normalWithStd(key, shape, 1 / Math.sqrt(fanIn), opts.dtype);
}

/**
 * PyTorch's default for nn.Linear and nn.Conv2d weights, U(−1/√fanIn, 1/√fanIn)
 * (kaiming_uniform with a = √5). The layers here use it unless told otherwise.
 */
export function pytorchLinearDefault(key: Key, shape: readonly number[], opts: InitOptions = {}): Tensor {
  return kaimingUniform(key, shape, { dtype: opts.dtype, gain: 1 / Math.sqrt(3) });
}

/**
 * PyTorch's default bias: U(−1/√fanIn, 1/√fanIn) where fanIn is the weight's (so it needs it;
 * the layers call this with their weight's fan).
 */
export function uniformBias(fanIn: number): Initializer {
  return (key, shape, opts = {}) => {
    const a = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    return random.uniform(key, shape, { low: -a, high: a, dtype: opts.dtype ?? 'float64' });
  };
}

/** All zeros (the key is ignored; it is taken so every initializer has one signature). */
export function zeros(_key: Key, shape: readonly number[], opts: InitOptions = {}): Tensor {
  return full(shape, 0, opts.dtype ?? 'float64');
}

/** All ones (norm-layer scales). */
export function ones(_key: Key, shape: readonly number[], opts: InitOptions = {}): Tensor {
  return full(shape, 1, opts.dtype ?? 'float64');
}

/** N(0, std²) regardless of fans. */
export function normal(std: number): Initializer {
  return (key, shape, opts = {}) => normalWithStd(key, shape, std, opts.dtype);
}
