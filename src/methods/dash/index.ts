/** DASH and the warm-start protocol (issue 18); Shrink & Perturb lives in ../shrink-perturb/. */
export { weightSites, type WeightSite } from './sites.ts';
export { dashShrink, sliceCosines, type ShrinkResult } from './shrink.ts';
export { negativeGradientEma, type GradientEma } from './gradient-ema.ts';
export { dashStep, type DashOptions, type DashResult } from './dash.ts';
export { splitChunks, unionOf, withLabelNoise } from './chunks.ts';
export { l2InitRegularizer } from './l2-init.ts';
export { resetHead } from './reset-head.ts';
export { runWarmStart, chunkKeys, STRATEGIES, type Strategy, type WarmStartOptions, type WarmStartResult, type ChunkResult } from './protocol.ts';
export {
  simulateFeatureLearning,
  FEATURE_LEARNING_DEFAULTS,
  SIM_STRATEGIES,
  type FeatureLearningConfig,
  type SimRow,
  type SimStrategy,
} from './feature-learning.ts';
export { shrinkPerturb, type ShrinkPerturbOptions } from '../shrink-perturb/shrink-perturb.ts';
