/** trainscope: the public API. */
export { Tensor, tensor, full, zeros, ones, scalar, zerosLike, arange, eye } from './tensor/tensor.ts';
export type { NestedArray, TensorOptions } from './tensor/tensor.ts';
export type { DType, TypedArray } from './tensor/dtype.ts';
export * from './tensor/ops.ts';
export * from './tensor/composed.ts';
export { grad, valueAndGrad, vjp, jvp, hvp, jacobian, stopGradient } from './tensor/transforms.ts';
export { treeFlatten, treeLeaves, treeMap } from './tensor/tree.ts';
export type { Tree } from './tensor/tree.ts';
export { setCheckFinite, getCheckFinite } from './tensor/trace.ts';
export { kernels, setBackend, availableBackends } from './kernels/backend.ts';
export * as linalg from './linalg/index.ts';
export * as random from './tensor/random.ts';
export { VERSION } from './version.ts';
