/** Quantized networks trained by binary optimization (README.md): solvers, the QCBO, QCGD, progressive hedging, baselines. */
export * as solvers from './solvers/index.ts';
export { QuadForm, violation, type Constraint } from './poly.ts';
export { weightEncoding, type WeightEncoding, type EncodingKind } from './encoding.ts';
export { dotBounds, productBounds, propagate, type Interval } from './intervals.ts';
export { spline, splineValue, splineErrorBound, breakpoints, intervalOf, type Spline } from './spline.ts';
export { forward, marginLoss, accuracy, type QnnWeights, type QnnForward } from './network.ts';
export {
  buildQcbo,
  qnnSplines,
  complete,
  decodeWeights,
  feasibility,
  objectiveValue,
  networkLoss,
  ACTIVATIONS,
  LOSSES,
  type Qcbo,
  type QnnSpec,
  type QnnSplines,
  type Feasibility,
  type ActivationName,
  type LossName,
} from './qcbo.ts';
export { LagrangianPattern } from './lagrangian.ts';
export { qcgd, type QcgdOptions, type QcgdResult, type QcgdTracePoint } from './qcgd.ts';
export { progressiveHedging, type HedgingOptions, type HedgingResult } from './hedging.ts';
export { penaltyQubo, type PenaltyOptions, type PenaltyQubo } from './penalty.ts';
export { polishWeights } from './polish.ts';
export { trainBaseline, type BaselineOptions, type BaselineResult } from './ste.ts';
export { binaryTask, fashionMnistAvailable, type BinaryTask, type TaskName } from './data.ts';
