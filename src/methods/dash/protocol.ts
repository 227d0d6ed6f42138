/**
 * The warm-start protocol (official main.py, non-SoTA): J chunks arrive one at a time; at chunk j
 * the model trains on chunks 1..j until its train accuracy reaches `threshold` (a clean eval-mode
 * pass over the union every `evalEvery` steps — a deviation from the official running epoch
 * accuracy) or until `maxEpochs` epochs (the cap is recorded and the protocol goes on), then the
 * test accuracy is measured. What each strategy carries from chunk to chunk:
 *
 * | strategy | params | optimizer state | BatchNorm statistics | extra |
 * |---|---|---|---|---|
 * | cold | fresh init | fresh | fresh | — |
 * | warm | kept | kept | kept | — |
 * | warm-reset-opt | kept | fresh | kept | — |
 * | reset-head | kept, head re-initialized after each chunk | kept | kept | — |
 * | l2-init | kept | kept | kept | loss + c·(Σ‖W − W₀‖)² |
 * | shrink-perturb | λW + N(0, σ²) after each chunk | kept | kept | — |
 * | dash | shrunk before each chunk j ≥ 1 | kept | kept | one forward+backward pass over chunks 1..j |
 *
 * Keys: chunk j's keys are split(foldIn(key, j), 3) = [init, train, post] (`chunkKeys`): `cold`
 * starts chunk j from model.init(init_j), every strategy starts chunk 0 from model.init(init_0),
 * the trainer's run key is train_j, and S&P noise / a re-initialized head draw from post_j.
 */
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import type { Tree } from '../../tensor/tree.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { evaluate, trainAsync, type StopAt } from '../../train/trainer.ts';
import type { Examples, Model, TrainState } from '../../train/train-step.ts';
import { unionOf } from './chunks.ts';
import { dashStep, type DashOptions } from './dash.ts';
import { negativeGradientEma } from './gradient-ema.ts';
import { l2InitRegularizer } from './l2-init.ts';
import { resetHead } from './reset-head.ts';
import { checkLambda, sliceCosines } from './shrink.ts';
import { weightSites } from './sites.ts';
import { shrinkPerturb, type ShrinkPerturbOptions } from '../shrink-perturb/shrink-perturb.ts';
import { checkAlpha } from './gradient-ema.ts';

export const STRATEGIES = ['cold', 'warm', 'warm-reset-opt', 'reset-head', 'l2-init', 'shrink-perturb', 'dash'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface WarmStartOptions<P extends Tree> {
  model: Model<P>;
  optimizer: GradientTransformation<any>;
  /** The chunks in arrival order (see splitChunks). */
  chunks: readonly Examples[];
  test: Examples;
  strategy: Strategy;
  key: Key;
  batchSize: number;
  /** Train accuracy to reach on chunks 1..j, in (0, 1] (official 0.999). */
  threshold?: number;
  /** Steps between train-accuracy checks (default: one epoch of the current union). */
  evalEvery?: number;
  /** Epoch cap per chunk (official 10,000; we default to 100). */
  maxEpochs?: number;
  dash?: DashOptions;
  shrinkPerturb?: ShrinkPerturbOptions;
  /** l2-init's c (official 1e-2). */
  l2InitC?: number;
  /** Ablation: reset the optimizer state after DASH's / S&P's change (the official code keeps it). */
  resetOptimizer?: boolean;
  /** Measure the mean unclamped cosine between weight slices and the negative test gradient after each chunk. */
  probe?: boolean;
  signal?: AbortSignal;
  /** Called after each chunk (progress, logging). */
  onChunk?: (r: ChunkResult, state: TrainState<P>) => void;
}

export interface ChunkResult {
  chunk: number;
  /** Examples trained on (chunks 1..j). */
  examples: number;
  testAccuracy: number;
  testLoss: number;
  /** The last clean train-accuracy measurement on chunks 1..j. */
  trainAccuracy: number;
  /** SGD steps taken on this chunk. */
  steps: number;
  /** True when the epoch cap ended the chunk before the threshold. */
  capped: boolean;
  /** DASH's gradient pass in training-batch equivalents (examples / batchSize); 0 for the others. Not in `steps`. */
  extraPasses: number;
  /** DASH's gradient pass: forward+backward batches and examples. */
  extraBatches: number;
  extraExamples: number;
  /** Means over chunks 1..j of test accuracy and steps (the official test_acc_avg, num_steps_avg). */
  meanTestAccuracy: number;
  meanSteps: number;
  /** The optional probe (see `probe`). */
  probeCosine?: number;
}

export interface WarmStartResult<P extends Tree> {
  chunks: ChunkResult[];
  /** The state after the last chunk (before S&P / reset-head's post-chunk change). */
  state: TrainState<P>;
  aborted: boolean;
  /** Wall time per chunk in ms (kept out of the deterministic records). */
  wallMs: number[];
}

export function chunkKeys(key: Key, j: number): { init: Key; train: Key; post: Key } {
  const [init, trainKey, post] = random.split(random.foldIn(key, j), 3) as [Key, Key, Key];
  return { init, train: trainKey, post };
}

function checkOptions(o: WarmStartOptions<any>): void {
  if (!(STRATEGIES as readonly string[]).includes(o.strategy))
    throw new Error(`warm-start: unknown strategy '${String(o.strategy)}' (one of ${STRATEGIES.join(', ')})`);
  if (!Array.isArray(o.chunks) || o.chunks.length === 0) throw new Error('warm-start: needs at least one chunk');
  const threshold = o.threshold ?? 0.999;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`warm-start: threshold must be a train accuracy in (0, 1], got ${String(threshold)}`);
  const smallest = Math.min(...o.chunks.map((c) => c.x.shape[0]!));
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > smallest)
    throw new Error(`warm-start: batchSize must be an integer in [1, ${smallest}] (the smallest chunk), got ${String(o.batchSize)}`);
  const maxEpochs = o.maxEpochs ?? 100;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new Error(`warm-start: maxEpochs must be a positive integer, got ${String(maxEpochs)}`);
  if (o.evalEvery !== undefined && (!Number.isInteger(o.evalEvery) || o.evalEvery < 1))
    throw new Error(`warm-start: evalEvery must be a positive integer, got ${String(o.evalEvery)}`);
  if (o.strategy === 'dash') {
    const d = o.dash ?? { lambda: 0.3, alpha: 0.3 };
    checkLambda(d.lambda);
    checkAlpha(d.alpha);
  }
}

/** Async (the trainer yields to the event loop every ~50 ms), so `signal` (Ctrl-C) stops it at a step boundary. */
export async function runWarmStart<P extends Tree>(o: WarmStartOptions<P>): Promise<WarmStartResult<P>> {
  checkOptions(o);
  const { model, optimizer, chunks, test, strategy, batchSize } = o;
  const threshold = o.threshold ?? 0.999;
  const maxEpochs = o.maxEpochs ?? 100;
  const dashOpts: DashOptions = o.dash ?? { lambda: 0.3, alpha: 0.3 };
  const sp: ShrinkPerturbOptions = o.shrinkPerturb ?? { lambda: 0.3, sigma: 0.01 };
  const initialParams = model.init(chunkKeys(o.key, 0).init);
  const sites = weightSites(model, initialParams, chunks[0]!.x, model.initState?.() ?? {});
  const regularizer = strategy === 'l2-init' ? l2InitRegularizer(initialParams, o.l2InitC ?? 1e-2) : undefined;
  const results: ChunkResult[] = [];
  const wallMs: number[] = [];
  let state: TrainState<P> | undefined;
  let trained: TrainState<P> | undefined;
  let aborted = false;

  for (let j = 0; j < chunks.length; j++) {
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    const t0 = performance.now();
    const keys = chunkKeys(o.key, j);
    const data = unionOf(chunks, j);
    const n = data.x.shape[0]!;
    const stepsPerEpoch = Math.floor(n / batchSize);
    const evalEvery = o.evalEvery ?? stepsPerEpoch;
    let extraBatches = 0;
    let extraExamples = 0;
    let start: { params: P } | { state: TrainState<P> };
    if (j === 0) start = { params: initialParams };
    else if (strategy === 'cold') start = { params: model.init(keys.init) };
    else {
      let s = state!;
      if (strategy === 'warm-reset-opt') s = { ...s, optState: optimizer.init(s.params) };
      if (strategy === 'dash') {
        const d = dashStep(model, s.params, s.modelState, chunks.slice(0, j + 1), sites, dashOpts);
        extraBatches = d.batches;
        extraExamples = d.examples;
        s = { ...s, params: d.params, ...(o.resetOptimizer ? { optState: optimizer.init(d.params) } : {}) };
      }
      start = { state: s };
    }
    const startStep = 'state' in start ? start.state.step : 0;
    let trainAccuracy = NaN;
    const stopAt: StopAt = { metric: 'trainAccuracy', atLeast: threshold };
    const run = await trainAsync<P>({
      model,
      optimizer,
      train: data,
      batchSize,
      steps: maxEpochs * stepsPerEpoch,
      key: keys.train,
      regularizer,
      ...start,
      logEvery: 0,
      evalAtEnd: false,
      stopAt,
      signal: o.signal,
      hooks: [
        {
          name: 'train-accuracy',
          metrics: ['trainAccuracy'],
          afterStep: (view) => {
            const local = view.step - startStep;
            if (local % evalEvery !== 0 && view.step !== view.totalSteps) return;
            trainAccuracy = evaluate(model, view.params, data, { state: view.modelState }).accuracy!;
            view.log({ trainAccuracy });
          },
        },
      ],
    });
    if (run.stoppedBy === 'abort') {
      aborted = true;
      break;
    }
    state = run.state;
    trained = run.state;
    const ev = evaluate(model, state.params, test, { state: state.modelState });
    let probeCosine: number | undefined;
    if (o.probe) {
      const g = negativeGradientEma(model, state.params, state.modelState, [test], { alpha: 1 });
      const cos = sliceCosines(state.params, g.negGrad, sites);
      probeCosine = cos.reduce((a, b) => a + b, 0) / cos.length;
    }
    const steps = run.step - startStep;
    const prev = results[results.length - 1];
    const r: ChunkResult = {
      chunk: j,
      examples: n,
      testAccuracy: ev.accuracy!,
      testLoss: ev.loss,
      trainAccuracy,
      steps,
      capped: run.stoppedBy !== 'target',
      extraPasses: extraExamples / batchSize,
      extraBatches,
      extraExamples,
      meanTestAccuracy: ((prev ? prev.meanTestAccuracy * j : 0) + ev.accuracy!) / (j + 1),
      meanSteps: ((prev ? prev.meanSteps * j : 0) + steps) / (j + 1),
      ...(probeCosine !== undefined ? { probeCosine } : {}),
    };
    results.push(r);
    // After-chunk changes shape the start of the next chunk only.
    if (strategy === 'shrink-perturb') {
      const p = shrinkPerturb(state.params, sites, sp, keys.post);
      state = { ...state, params: p, ...(o.resetOptimizer ? { optState: optimizer.init(p) } : {}) };
    } else if (strategy === 'reset-head') {
      state = { ...state, params: resetHead(model, state.params, sites, keys.post) };
    }
    wallMs.push(performance.now() - t0);
    o.onChunk?.(r, trained!);
  }
  return { chunks: results, state: trained!, aborted, wallMs };
}
