/**
 * The langevin experiments' grid cells. Every experiment's grid is an explicit list of cells,
 * each evaluated by one pure function `(cell, key) → row` (`evaluateCell`), run sequentially
 * in-process for now: the sweeps layer can later declare the same list as a sweep.
 * Keys: the teacher comes from foldIn(key, 0); a cell's data and student init from
 * foldIn(foldIn(key, 1 + n), seed) (so every method of a (n, seed) cell sees the same data and
 * starts from the same init); its chain noise from foldIn(that, 100 + method index).
 */
import type { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import {
  twoLayerNet,
  makeLangevinOptimizer,
  runChain,
  fitRandomFeatures,
  makeTeacher,
  regressionData,
  classificationData,
  teacherStats,
  uniformInputs,
  squaredLoss,
  logisticLoss,
  effectiveSampleSize,
  integratedAutocorrTime,
  LANGEVIN_METHODS,
  type LangevinMethod,
} from '../../methods/langevin/index.ts';

export type CellMethod = LangevinMethod | 'kernel';
export const CELL_METHODS = [...LANGEVIN_METHODS, 'kernel'] as const;

export interface CellConfig {
  task: 'regression' | 'classification';
  method: CellMethod;
  n: number;
  seed: number;
  width: number;
  inputDim: number;
  /** Teacher's active neurons. */
  active: number;
  p: number;
  alpha: number;
  steps: number;
  lr: number;
  /** β = betaPerN·n. */
  betaPerN: number;
  /** λ = lambdaBeta/β (the prior variance of neuron m is μ_m/(λβ)). */
  lambdaBeta: number;
  noise: number;
  margin: number;
  testSize: number;
  gibbsTail: number;
  gibbsThin: number;
  features: number;
  /** Probe points whose predictions the row carries (seed agreement). */
  probe: number;
}

export interface CellRow {
  method: CellMethod;
  n: number;
  seed: number;
  width: number;
  /** Regression: E(f̂ − f*)² on the test points (Gibbs average); classification: test error of sign(f̂). */
  risk: number;
  /** The same for the last iterate. */
  riskLast: number;
  /** Final training objective (NaN for the kernel). */
  finalLoss: number;
  ess: number;
  tau: number;
  stoppedAt: number | null;
  ridge?: number;
  probe: number[];
}

const CLASS_TEST_KEY = 999;

export function evaluateCell(c: CellConfig, key: Key): CellRow {
  const teacher = makeTeacher(random.foldIn(key, 0), c.inputDim, c.active, { p: c.p, alpha: c.alpha });
  const cellKey = random.foldIn(random.foldIn(key, 1 + c.n), c.seed);
  const [dataKey, initKey] = random.split(cellKey) as [Key, Key];
  const testKey = random.foldIn(key, CLASS_TEST_KEY);
  let train: { x: Tensor; y: Tensor };
  let test: Tensor;
  let score: (pred: Float64Array) => number;
  if (c.task === 'regression') {
    train = regressionData(dataKey, teacher, c.n, c.noise);
    test = uniformInputs(testKey, c.testSize, c.inputDim);
    const fStar = teacher.f(test);
    score = (pred) => pred.reduce((s, v, i) => s + (v - fStar[i]!) ** 2, 0) / pred.length;
  } else {
    const stats = teacherStats(teacher, random.foldIn(key, 2));
    train = classificationData(dataKey, teacher, c.n, stats, c.margin);
    const t = classificationData(testKey, teacher, c.testSize, stats, c.margin);
    test = t.x;
    const yt = t.y.data as Float64Array;
    score = (pred) => pred.reduce((s, v, i) => s + (v * yt[i]! > 0 ? 0 : 1), 0) / pred.length;
  }
  const probeOf = (pred: Float64Array) => Array.from(pred.subarray(0, c.probe));
  if (c.method === 'kernel') {
    const fit = fitRandomFeatures(random.foldIn(cellKey, 50), train.x, train.y, { features: c.features });
    const pred = fit.predict(test);
    const r = score(pred);
    return {
      method: c.method,
      n: c.n,
      seed: c.seed,
      width: c.width,
      risk: r,
      riskLast: r,
      finalLoss: NaN,
      ess: NaN,
      tau: NaN,
      stoppedAt: null,
      ridge: fit.ridge,
      probe: probeOf(pred),
    };
  }
  const model = twoLayerNet({ inputDim: c.inputDim, width: c.width, p: c.p, alpha: c.alpha, initScale: 1 / Math.sqrt(c.lambdaBeta) });
  const beta = c.betaPerN * c.n;
  const lambda = c.lambdaBeta / beta;
  const optimizer = makeLangevinOptimizer(c.method, { lr: c.lr, beta, lambda, mu: model.mu });
  const chain = runChain({
    model,
    optimizer,
    loss: c.task === 'regression' ? squaredLoss : logisticLoss,
    train,
    test,
    init: model.init(initKey),
    steps: c.steps,
    key: random.foldIn(cellKey, 100 + LANGEVIN_METHODS.indexOf(c.method)),
    gibbs: { tail: c.gibbsTail, thin: c.gibbsThin },
  });
  const tailTrace = chain.lossTrace.slice(Math.floor(chain.lossTrace.length * (1 - c.gibbsTail)));
  const gibbs = chain.gibbsPrediction ?? chain.lastPrediction;
  return {
    method: c.method,
    n: c.n,
    seed: c.seed,
    width: c.width,
    risk: score(gibbs),
    riskLast: score(chain.lastPrediction),
    finalLoss: chain.lossTrace.at(-1) ?? NaN,
    ess: tailTrace.length >= 2 ? effectiveSampleSize(tailTrace) : NaN,
    tau: tailTrace.length >= 2 ? integratedAutocorrTime(tailTrace) : NaN,
    stoppedAt: chain.stoppedAt?.step ?? null,
    probe: probeOf(gibbs),
  };
}

/** Shared config keys (zod shapes are in each experiment); the defaults used by all three. */
export const CELL_DEFAULTS = {
  inputDim: 5,
  active: 10,
  p: 2,
  alpha: 0.5,
  lr: 0.05,
  betaPerN: 1,
  lambdaBeta: 1,
  noise: 0.1,
  margin: 0.2,
  gibbsTail: 0.5,
  gibbsThin: 10,
  features: 2000,
  probe: 256,
};

/** Tensor-free copy for logging. */
export const rowRecord = (r: CellRow): Record<string, unknown> => {
  const { probe, ...rest } = r;
  void probe;
  return rest;
};
