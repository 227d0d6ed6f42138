/**
 * nn/: layers as pairs of pure functions (`init(key) → params`, `apply(params, x, ctx)`), see
 * layer.ts and README.md. Factory names mirror the ops they wrap (nn `relu()` is a layer,
 * the op `relu(x)` lives in tensor/), so import this module as a namespace.
 */
export { EVAL } from './layer.ts';
export type { ApplyCtx, Layer, ModelState, TapKind, TapSite } from './layer.ts';
export type { StatefulLayer, MaybeStateful } from './util.ts';

export * as init from './init.ts';
export {
  calculateGain,
  computeFans,
  kaimingNormal,
  kaimingUniform,
  xavierNormal,
  xavierUniform,
  lecunNormal,
  pytorchLinearDefault,
} from './init.ts';
export type { Initializer, InitOptions, KaimingOptions, XavierOptions, Nonlinearity } from './init.ts';

export { linear } from './linear.ts';
export type { LinearLayer, LinearOptions, LinearParams } from './linear.ts';
export { conv2d } from './conv2d.ts';
export type { Conv2dLayer, Conv2dLayerOptions, Conv2dParams } from './conv2d.ts';
export { batchNorm1d, batchNorm2d, layerNorm } from './norm.ts';
export type { BatchNormLayer, BatchNormOptions, BatchNormState, LayerNormLayer, LayerNormOptions, NormParams } from './norm.ts';
export { dropout } from './dropout.ts';
export type { DropoutLayer } from './dropout.ts';
export { relu, tanh, gelu, sigmoid, leakyRelu, softplus, identity, flatten, activation, ACTIVATIONS } from './activations.ts';
export type { ActivationName, ParamFreeLayer } from './activations.ts';
export { maxPool2d, avgPool2d } from './pool.ts';
export type { PoolLayerOptions } from './pool.ts';
export { sequential, layerNames } from './sequential.ts';
export type { SequentialLayer, SequentialParams } from './sequential.ts';
export { mlp } from './mlp.ts';
export type { MlpOptions } from './mlp.ts';
export { cnn } from './cnn.ts';
export type { CnnOptions } from './cnn.ts';
export { gcnLayer, normalizeAdjacency } from './gcn.ts';
export type { GcnLayer, GcnOptions } from './gcn.ts';
export { checkLayerGradients } from './gradcheck.ts';
export type { GradCheckOptions, GradCheckResult } from './gradcheck.ts';
