/**
 * Runs one chain full-batch: `steps` updates of `makeTrainStep` (mean loss + optional
 * regularizer) from a given init, with Gibbs averaging of test predictions over the documented
 * tail window (gibbs.ts) and the loss trace for the mixing diagnostics. A non-finite loss or
 * parameters (the train step's NonFiniteLossError guard) stop the chain: the result keeps the
 * last good state (the guard leaves the incoming state untouched) and says where it stopped.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { makeTrainStep, NonFiniteLossError, type LossFn, type Regularizer, type TrainState } from '../../train/train-step.ts';
import type { TwoLayerNet, TwoLayerParams } from './model.ts';
import { GibbsAverage, type GibbsWindowOptions } from './gibbs.ts';

export interface ChainOptions {
  model: TwoLayerNet;
  optimizer: GradientTransformation<any>;
  loss: LossFn;
  regularizer?: Regularizer;
  train: { x: Tensor; y: Tensor };
  /** Points whose predictions are Gibbs-averaged (and returned for the last iterate too). */
  test: Tensor;
  init: TwoLayerParams;
  steps: number;
  key: Key;
  gibbs?: GibbsWindowOptions;
  /** Record the loss every `traceEvery` steps (default 1). */
  traceEvery?: number;
  onStep?: (k: number, loss: number) => void;
}

export interface ChainResult {
  state: TrainState<TwoLayerParams>;
  /** Losses (objective at the incoming params) of the recorded steps. */
  lossTrace: number[];
  /** Mean of f_{W_k}(test) over the window's iterates (undefined when the chain stopped before it). */
  gibbsPrediction: Float64Array | undefined;
  gibbsSamples: number;
  lastPrediction: Float64Array;
  /** Set when the guard stopped the chain: the step whose loss/update was non-finite. */
  stoppedAt?: { step: number; message: string };
}

export function runChain(o: ChainOptions): ChainResult {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new Error(`runChain: steps must be an integer ≥ 1, got ${String(o.steps)}`);
  const step = makeTrainStep<TwoLayerParams>({ model: o.model, optimizer: o.optimizer, loss: o.loss, regularizer: o.regularizer });
  let state = step.init({ params: o.init });
  const avg = new GibbsAverage(o.steps, o.gibbs);
  const every = o.traceEvery ?? 1;
  const lossTrace: number[] = [];
  const predict = (p: TwoLayerParams): Float64Array => Float64Array.from(o.model.apply(p, o.test).data as Float64Array);
  let stoppedAt: ChainResult['stoppedAt'];
  for (let k = 0; k < o.steps; k++) {
    let r;
    try {
      r = step(state, o.train, random.foldIn(o.key, k));
    } catch (e) {
      if (!(e instanceof NonFiniteLossError)) throw e;
      stoppedAt = { step: e.step, message: e.message };
      break;
    }
    state = r.state;
    if (k % every === 0) lossTrace.push(r.loss);
    o.onStep?.(k + 1, r.loss);
    if (avg.wants(k + 1)) avg.add(k + 1, predict(state.params));
  }
  return {
    state,
    lossTrace,
    gibbsPrediction: avg.samples > 0 ? avg.mean() : undefined,
    gibbsSamples: avg.samples,
    lastPrediction: predict(state.params),
    ...(stoppedAt ? { stoppedAt } : {}),
  };
}
