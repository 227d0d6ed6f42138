/** methods/langevin: infinite-dimensional gradient Langevin dynamics (Suzuki 2020); see README.md. */
export { eigenDecay, outputScales } from './spectrum.ts';
export { twoLayerNet, type TwoLayerNet, type TwoLayerOptions, type TwoLayerParams } from './model.ts';
export { hilbertRegularizer } from './regularizer.ts';
export { gld, gdWeightDecay, implicitFactors, type GldOptions } from './gld.ts';
export { addHilbertDecay } from './hilbert-decay.ts';
export { psgld, type PsgldOptions, type PsgldState } from './psgld.ts';
export { sgldIsotropic, explicitGld, makeLangevinOptimizer, LANGEVIN_METHODS, type LangevinMethod, type MethodHyper } from './optimizers.ts';
export { gibbsWindow, GibbsAverage, type GibbsWindowOptions } from './gibbs.ts';
export { autocorrelation, integratedAutocorrTime, effectiveSampleSize, seedDisagreement } from './diagnostics.ts';
export { runChain, type ChainOptions, type ChainResult } from './chain.ts';
export { fitRandomFeatures, ridgeDual, type RandomFeaturesFit, type RandomFeaturesOptions } from './random-features.ts';
export { makeTeacher, regressionData, classificationData, teacherStats, uniformInputs, type Teacher } from './teacher.ts';
export { squaredLoss, logisticLoss } from './losses.ts';
export { fitLine, logLogSlope, type LineFit } from './fit.ts';
