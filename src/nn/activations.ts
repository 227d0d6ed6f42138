/**
 * Parameter-free layers wrapping elementwise activations, plus `flatten`. Params are `{}`.
 * Default names are the op names; give explicit names when one container holds two of the same
 * kind (sequential requires unique names).
 */
import { Tensor } from '../tensor/tensor.ts';
import { reshape, sigmoid as sigmoidOp, tanh as tanhOp } from '../tensor/ops.ts';
import { gelu as geluOp, leakyRelu as leakyReluOp, relu as reluOp, softplus as softplusOp } from '../tensor/composed.ts';
import { fmt } from '../tensor/shape.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx, type Layer } from './layer.ts';
import { checkName, layerError } from './util.ts';

export type ParamFreeLayer = Layer<Record<string, never>>;
export interface NameOption {
  name?: string;
}

function elementwise(kind: string, f: (x: Tensor) => Tensor, opts: NameOption = {}): ParamFreeLayer {
  const name = checkName(kind, opts.name ?? kind);
  return {
    name,
    init: (_key: Key) => ({}),
    apply(_params, x: Tensor, _ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor)) throw layerError(kind, name, `input must be a Tensor, got ${typeof x}`);
      return f(x);
    },
  };
}

/** max(x, 0), derivative 0 at 0 (as PyTorch). */
export const relu = (opts?: NameOption): ParamFreeLayer => elementwise('relu', reluOp, opts);
export const tanh = (opts?: NameOption): ParamFreeLayer => elementwise('tanh', tanhOp, opts);
/** GELU, tanh approximation (PyTorch's approximate='tanh'). */
export const gelu = (opts?: NameOption): ParamFreeLayer => elementwise('gelu', geluOp, opts);
export const sigmoid = (opts?: NameOption): ParamFreeLayer => elementwise('sigmoid', sigmoidOp, opts);
export const softplus = (opts?: NameOption): ParamFreeLayer => elementwise('softplus', softplusOp, opts);
export const identity = (opts?: NameOption): ParamFreeLayer => elementwise('identity', (x) => x, opts);
/** x for x > 0, slope·x otherwise (default slope 0.01, as PyTorch). */
export const leakyRelu = (opts: NameOption & { slope?: number } = {}): ParamFreeLayer => {
  const slope = opts.slope ?? 0.01;
  if (!Number.isFinite(slope)) throw new Error(`leakyRelu: slope must be a finite number, got ${slope}`);
  return elementwise('leakyRelu', (x) => leakyReluOp(x, slope), opts);
};

export type ActivationName = 'relu' | 'tanh' | 'gelu' | 'sigmoid' | 'leakyRelu' | 'softplus' | 'identity';
export const ACTIVATIONS: readonly ActivationName[] = ['relu', 'tanh', 'gelu', 'sigmoid', 'leakyRelu', 'softplus', 'identity'];

/** An activation layer by name (used by mlp/cnn configs). */
export function activation(kind: ActivationName, opts: NameOption = {}): ParamFreeLayer {
  switch (kind) {
    case 'relu':
      return relu(opts);
    case 'tanh':
      return tanh(opts);
    case 'gelu':
      return gelu(opts);
    case 'sigmoid':
      return sigmoid(opts);
    case 'leakyRelu':
      return leakyRelu(opts);
    case 'softplus':
      return softplus(opts);
    case 'identity':
      return identity(opts);
    default:
      throw new Error(`activation: unknown activation ${JSON.stringify(kind)} (expected one of ${ACTIVATIONS.join(', ')})`);
  }
}

/** [batch, ...rest] → [batch, prod(rest)] (PyTorch's nn.Flatten()). */
export function flatten(opts: NameOption = {}): ParamFreeLayer {
  const name = checkName('flatten', opts.name ?? 'flatten');
  return {
    name,
    init: (_key: Key) => ({}),
    apply(_params, x: Tensor, _ctx: ApplyCtx = EVAL): Tensor {
      if (!(x instanceof Tensor)) throw layerError('flatten', name, `input must be a Tensor, got ${typeof x}`);
      if (x.rank < 1) throw layerError('flatten', name, `expected input [batch, ...], got ${fmt(x.shape)}`);
      const rest = x.shape.slice(1).reduce((a, b) => a * b, 1);
      return reshape(x, [x.shape[0]!, rest]);
    },
  };
}
