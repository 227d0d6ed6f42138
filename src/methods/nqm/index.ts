/** The noisy quadratic model (Zhang et al., 2019): exact dynamics, tuning, critical batch size, schedules, Monte Carlo. */
export { makeNqm, expectedLoss, geometricBins, geomspace, lowerBoundSteps, type Nqm, type NqmOptions, type Binning } from './problem.ts';
export { iterateLoss, sgdMoments, effectiveSteps, noiseTerms, transition, initialState, readout, isStable, type Method, type Setting } from './dynamics.ts';
export { AffinePowers3, levelsFor } from './affine-powers.ts';
export { bisectSteps, liftSteps, SGD_HIGH, MOMENTUM_HIGH } from './search.ts';
export { tune, lossAt, stepsToTarget, type StepsRow, type TuneOptions, type Search } from './tune.ts';
export { logspace, sgdLrGrid, momentumLrGrid, coefGrid, powersOfTwo } from './grids.ts';
export { fitCriticalBatch, type BatchStepsRow, type CriticalBatchFit } from './critical-batch.ts';
export { monteCarlo, type MonteCarloOptions, type MonteCarloResult } from './monte-carlo.ts';
export { maxLogLr, scheduleLogLoss, optimizeSchedule, scheduleStepsToTarget, type OptimizedSchedule, type ScheduleSteps } from './schedule.ts';
export { boundedLbfgs, type BoundedLbfgsOptions, type BoundedLbfgsResult } from './bounded-lbfgs.ts';
