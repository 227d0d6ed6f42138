/** Chaos in SGD (Herrmann, Granz & Landgraf, NeurIPS 2022): CGD, Lyapunov exponents, divergence of twins. */
export { mlpLossGradHessian, type LossGradHessian } from './mlp-hessian.ts';
export { pruneIndices, checkPruneOptions, type PruneSet, type PruneOptions } from './prune.ts';
export { denseEigenpairs, denseFromHvp, lanczosEigenpairs, type Eigenpairs, type FlatHvp, type LanczosSpectrumOptions } from './spectrum.ts';
export { cgdDirection, type DirectionOptions, type Direction } from './project.ts';
export { pruneCurvature, cgd, type CgdOptions } from './cgd.ts';
export { lyapunovInit, lyapunovStep, lyapunovExponents, positiveCount, projectedHessian, type LyapunovState } from './lyapunov.ts';
export {
  productInit,
  productStep,
  lyapunovVectors,
  perturbationDirection,
  perturbFlat,
  distance,
  directionKey,
  DIRECTIONS,
  type ProductState,
  type LyapunovVectors,
  type DirectionKind,
} from './divergence.ts';
export { fitDivergence, type DivergenceFit } from './fit.ts';
