/** Amortized eigendecomposition (Li et al., NeurIPS 2024): see README.md. */
export { eigenTracker, type EigenTracker, type EigenTrackerOptions, type EigenTrackerState, type EigenEstimate, type EigenLossName } from './eigen-tracker.ts';
export { svdTracker, exactSingularValues, type SvdTracker, type SvdTrackerOptions, type SvdTrackerState, type SvdEstimate } from './svd-tracker.ts';
export { brockettLoss, brockettWeights, convexTraceLoss, svdBrockettLoss, defaultConvexFn, type ConvexFn } from './losses.ts';
export { orthonormalBasis, rayleighQuotients, bilinearDiagonal } from './basis.ts';
export { trackingError, compareTopK, exactTopK, type TrackingError } from './monitor.ts';
export type { FactorState } from './stepper.ts';
