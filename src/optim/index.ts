/** optim/: optax-shaped gradient transformations, schedules and the usual optimizers. */
export type { GradientTransformation, UpdateCtx, LayerStat, Need } from './transform.ts';
export { chain, applyUpdates } from './chain.ts';
export { scale, scaleByLearningRate } from './scale.ts';
export { traceMomentum, type MomentumState } from './momentum.ts';
export { scaleByAdam, type AdamOptions, type AdamState } from './adam.ts';
export { scaleByRms, type RmsOptions, type RmsState } from './rms.ts';
export { addDecayedWeights } from './weight-decay.ts';
export { clipByGlobalNorm } from './clip.ts';
export { addNoise, type NoiseOptions } from './noise.ts';
export { ema, emaParams, type EmaState } from './ema.ts';
export { scaleByKfac, layerFactors, type KfacOptions, type KfacState, type KfacLayerState } from './kfac.ts';
export { sgd, momentum, nesterov, adam, adamw, rmsprop, langevin, kfac } from './aliases.ts';
export * as schedules from './schedules.ts';
export type { Schedule, ScalarOrSchedule } from './schedules.ts';
export { masked, nonBiasMask, type MaskTree } from './masked.ts';
export { multiSteps, type MultiStepsState } from './multi-steps.ts';
export { injectHyperparams, injectedHyperparams, type InjectedState } from './inject-hyperparams.ts';
