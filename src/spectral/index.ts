/** spectral/: Hessian spectra of any model through Hessian-vector products (see README.md). */
export { treeLayout, type TreeLayout } from './flat.ts';
export {
  operatorFromFunction,
  operatorFromMatrix,
  operatorFromDiagonal,
  countingOperator,
  checkSymmetric,
  type LinearOperator,
} from './operator.ts';
export { hessianOperator, fullBatchHessianOperator, type HessianOperator, type ExamplesLike } from './hessian-operator.ts';
export { lanczos, topEigenvalues, type LanczosOptions, type LanczosResult, type EigenEnd } from './lanczos.ts';
export { powerIteration, type PowerIterationOptions, type PowerIterationResult } from './power.ts';
export { slqDensity, type SlqOptions, type SlqResult } from './slq.ts';
export { hutchinsonTrace, type HutchinsonResult } from './hutchinson.ts';
export { denseMatrix, denseSpectrum, type DenseMatrix } from './dense.ts';
export { compareHvpCounts, type HvpComparison, type MethodCount } from './compare.ts';
