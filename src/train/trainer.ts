/**
 * The trainer: keyed minibatch SGD-style training with evaluation, train-to-accuracy stopping,
 * a NaN/Inf guard, atomic checkpoints and exact resume.
 *
 * Determinism: every random choice derives from the run key — epoch e's order from
 * foldIn(dataKey, e), step s's dropout/optimizer noise from foldIn(stepKey, s) — so a resumed
 * run replays exactly what an uninterrupted one would have done. Metrics hold no timings.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Tensor, zeros } from '../tensor/tensor.ts';
import { add, argmax, equal, gather, sum, cast } from '../tensor/ops.ts';
import { softmaxCrossEntropy } from '../tensor/composed.ts';
import { hvp, stopGradient, valueAndGrad } from '../tensor/transforms.ts';
import { treeFlatten, treeMap, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';
import type { ApplyCtx, Layer, ModelState, TapSite } from '../nn/layer.ts';
import type { GradientTransformation, LayerStat, UpdateCtx } from '../optim/transform.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

export interface Examples {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** A model: a layer, optionally with buffers (BatchNorm running stats). */
export type Model<P extends Tree = Tree> = Layer<P> & { initState?(): ModelState };

export interface MetricRecord {
  step: number;
  epoch: number;
  [metric: string]: number;
}

export interface StepInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
}

export interface TrainerOptions<P extends Tree = Tree> {
  model: Model<P>;
  optimizer: GradientTransformation<any>;
  train: Examples;
  /** Held-out data for evaluation (test accuracy / loss). */
  test?: Examples;
  /** Loss of the model output against targets; mean over the batch. Default: softmax cross-entropy. */
  loss?: (output: Tensor, targets: Tensor) => Tensor;
  batchSize: number;
  /** Total optimizer steps (each epoch has ⌊n / batchSize⌋ steps; the last partial batch is dropped). */
  steps: number;
  seed?: number;
  /** Starting parameters (default: model.init of a key derived from the seed). */
  params?: P;
  /** Evaluate every this many steps (and always at the end). 0: only at the end. */
  evalEvery?: number;
  /** Also evaluate on the full training set at each evaluation. */
  evalTrain?: boolean;
  evalBatchSize?: number;
  /** Record the training loss every this many steps (default 1). */
  logEvery?: number;
  /** Stop once an evaluated metric reaches a value (train-to-accuracy protocols). */
  stopAt?: { metric: 'trainAccuracy' | 'testAccuracy'; atLeast: number };
  /** Write a checkpoint to `path` every `every` steps, at the end, and when aborted. */
  checkpoint?: { path: string; every: number };
  /** Continue from `checkpoint.path` when it exists. */
  resume?: boolean;
  /** Mixed into the configuration hash that a checkpoint must match to be resumed. */
  configKey?: string;
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onEval?: (record: MetricRecord) => void;
}

export interface TrainResult<P extends Tree = Tree> {
  params: P;
  optState: unknown;
  modelState: ModelState;
  metrics: MetricRecord[];
  step: number;
  stoppedBy: 'steps' | 'target' | 'abort';
}

/** Raised by the NaN/Inf guard; the last good checkpoint (if any) is left in place. */
export class NonFiniteLossError extends Error {
  constructor(message: string, readonly step: number) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

function checkOptions(o: TrainerOptions<any>): void {
  const n = o.train?.x?.shape[0];
  if (!(o.train?.x instanceof Tensor) || !(o.train?.y instanceof Tensor)) throw new Error('trainer: train must be { x: Tensor, y: Tensor }');
  if (o.train.y.shape[0] !== n) throw new Error(`trainer: train.x has ${n} examples but train.y has ${o.train.y.shape[0]}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`trainer: batchSize must be a positive integer, got ${o.batchSize}`);
  if (o.batchSize > n!) throw new Error(`trainer: batchSize ${o.batchSize} is larger than the training set (${n} examples)`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`trainer: steps must be a non-negative integer, got ${o.steps}`);
  if (o.checkpoint && (!Number.isInteger(o.checkpoint.every) || o.checkpoint.every < 1)) throw new Error(`trainer: checkpoint.every must be a positive integer, got ${o.checkpoint.every}`);
  for (const [name, ds] of [['train', o.train], ['test', o.test]] as const) {
    if (ds && ds.y.dtype === 'int32' && !o.loss) {
      const d = ds.y.data;
      for (let i = 0; i < d.length; i++) if (d[i]! < 0) throw new Error(`trainer: ${name} label ${d[i]} at index ${i} is negative`);
    }
  }
}

function configHash(o: TrainerOptions<any>, initParams: Tree): string {
  const { paths, leaves } = treeFlatten(initParams);
  const desc = {
    model: o.model.name, optimizer: o.optimizer.name, batchSize: o.batchSize, seed: o.seed ?? 0,
    train: [o.train.x.shape, o.train.y.shape], params: paths.map((p, i) => `${p}:${leaves[i]!.shape.join('x')}`),
    extra: o.configKey ?? '',
  };
  return createHash('sha256').update(JSON.stringify(desc)).digest('hex').slice(0, 16);
}

function checkSameStructure(path: string, loaded: Tree, expected: Tree): void {
  const a = treeFlatten(loaded);
  const b = treeFlatten(expected);
  if (a.paths.join('|') !== b.paths.join('|')) {
    throw new Error(`checkpoint ${path}: parameters do not match this model (has ${a.paths.length} tensors: ${a.paths.slice(0, 4).join(', ')}…; model has ${b.paths.join(', ').slice(0, 120)})`);
  }
  a.leaves.forEach((t, i) => {
    if (!shapesEqual(t.shape, b.leaves[i]!.shape) || t.dtype !== b.leaves[i]!.dtype) {
      throw new Error(`checkpoint ${path}: parameter ${a.paths[i]} is ${t.dtype} ${fmt(t.shape)}, the model expects ${b.leaves[i]!.dtype} ${fmt(b.leaves[i]!.shape)}`);
    }
  });
}

const isFiniteTree = (t: Tree): boolean => treeFlatten(t).leaves.every((x) => x.data.every((v) => Number.isFinite(v)));

/** Classification accuracy and mean loss over a dataset, in eval mode, in fixed-order batches. */
export function evaluate<P extends Tree>(
  model: Model<P>, params: P, data: Examples, opts: { loss?: (o: Tensor, y: Tensor) => Tensor; batchSize?: number; state?: ModelState } = {},
): { loss: number; accuracy?: number } {
  const n = data.x.shape[0]!;
  const bs = opts.batchSize ?? 1000;
  const lossFn = opts.loss ?? softmaxCrossEntropy;
  let lossSum = 0;
  let correct = 0;
  const classify = data.y.dtype === 'int32';
  for (let start = 0; start < n; start += bs) {
    const idx = new Tensor(Int32Array.from({ length: Math.min(bs, n - start) }, (_, i) => start + i), [Math.min(bs, n - start)], 'int32');
    const xb = gather(data.x, idx, 0);
    const yb = gather(data.y, idx, 0);
    const out = model.apply(params, xb, { training: false, state: opts.state });
    lossSum += lossFn(out, yb).item() * idx.size;
    if (classify && out.rank === 2) correct += sum(cast(equal(argmax(out, 1), yb), 'int32')).item();
  }
  return classify ? { loss: lossSum / n, accuracy: correct / n } : { loss: lossSum / n };
}

/** Run (or resume) a training run to completion, synchronously. */
export function train<P extends Tree>(o: TrainerOptions<P>): TrainResult<P> {
  const steps = trainSteps(o);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same run, yielding to the event loop every ~50 ms so that signals (Ctrl-C → `signal`),
 * timers and progress output are served during long runs.
 */
export async function trainAsync<P extends Tree>(o: TrainerOptions<P>): Promise<TrainResult<P>> {
  const steps = trainSteps(o);
  let last = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - last > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

/** The training loop as a generator that yields after every step. */
function* trainSteps<P extends Tree>(o: TrainerOptions<P>): Generator<void, TrainResult<P>> {
  checkOptions(o);
  const lossOf = o.loss ?? softmaxCrossEntropy;
  const n = o.train.x.shape[0]!;
  const stepsPerEpoch = Math.floor(n / o.batchSize);
  const [initKey, dataKey, stepKey] = random.split(random.key(o.seed ?? 0), 3) as [Key, Key, Key];
  const initial = o.params ?? o.model.init(initKey);
  const hash = configHash(o, initial);
  const needs = new Set(o.optimizer.needs ?? []);

  let params = initial;
  let optState: unknown = o.optimizer.init(params);
  let modelState: ModelState = o.model.initState?.() ?? {};
  let metrics: MetricRecord[] = [];
  let step = 0;
  let lastCheckpointStep: number | undefined;

  const cp = o.checkpoint;
  if (o.resume && cp && existsSync(cp.path)) {
    const c = loadCheckpoint(cp.path);
    if (c['configHash'] !== hash) {
      throw new Error(`checkpoint ${cp.path}: written by a different configuration (hash ${String(c['configHash'])}, this run ${hash}); refusing to resume`);
    }
    checkSameStructure(cp.path, c['params'] as Tree, initial);
    params = c['params'] as P;
    optState = c['optState'];
    modelState = (c['modelState'] ?? {}) as ModelState;
    metrics = c['metrics'] as MetricRecord[];
    step = c['step'] as number;
    lastCheckpointStep = step;
  }

  const save = (): void => {
    if (!cp) return;
    saveCheckpoint(cp.path, { configHash: hash, step, params, optState, modelState, metrics });
    lastCheckpointStep = step;
  };

  let order: Int32Array | undefined;
  let orderEpoch = -1;
  const batchAt = (s: number): { xb: Tensor; yb: Tensor; epoch: number } => {
    const epoch = Math.floor(s / stepsPerEpoch);
    if (epoch !== orderEpoch) {
      order = random.permutation(random.foldIn(dataKey, epoch), n).data as Int32Array;
      orderEpoch = epoch;
    }
    const start = (s % stepsPerEpoch) * o.batchSize;
    const idx = new Tensor(order!.slice(start, start + o.batchSize), [o.batchSize], 'int32');
    return { xb: gather(o.train.x, idx, 0), yb: gather(o.train.y, idx, 0), epoch };
  };

  const runEval = (epoch: number): MetricRecord => {
    const rec: MetricRecord = { step, epoch };
    if (o.evalTrain) {
      const r = evaluate(o.model, params, o.train, { loss: o.loss, batchSize: o.evalBatchSize, state: modelState });
      rec['trainLoss'] = r.loss;
      if (r.accuracy !== undefined) rec['trainAccuracy'] = r.accuracy;
    }
    if (o.test) {
      const r = evaluate(o.model, params, o.test, { loss: o.loss, batchSize: o.evalBatchSize, state: modelState });
      rec['testLoss'] = r.loss;
      if (r.accuracy !== undefined) rec['testAccuracy'] = r.accuracy;
    }
    metrics.push(rec);
    o.onEval?.(rec);
    return rec;
  };

  let stoppedBy: TrainResult['stoppedBy'] = 'steps';
  const logEvery = o.logEvery ?? 1;
  while (step < o.steps) {
    if (o.signal?.aborted) {
      stoppedBy = 'abort';
      break;
    }
    const { xb, yb, epoch } = batchAt(step);
    const [dropKey, optKey] = random.split(random.foldIn(stepKey, step)) as [Key, Key];
    const state: ModelState = { ...modelState };
    const ctx: ApplyCtx = { training: true, key: dropKey, state };
    const { value, grads, layerStats } = needs.has('layerStats')
      ? gradientsWithLayerStats(o.model, params, xb, yb, lossOf, ctx)
      : { ...valueAndGrad((p: P) => lossOf(o.model.apply(p, xb, ctx), yb))(params), layerStats: undefined };
    const loss = value.item();
    if (!Number.isFinite(loss)) {
      const where = lastCheckpointStep !== undefined ? `last good checkpoint: ${cp!.path} (step ${lastCheckpointStep})` : 'no checkpoint was written yet';
      throw new NonFiniteLossError(`training stopped: loss is ${loss} at step ${step} (epoch ${epoch}); parameters left at their last finite values; ${where}`, step);
    }
    const updateCtx: UpdateCtx = {
      params, step, key: optKey,
      loss: needs.has('loss') ? value : undefined,
      // A scratch copy of the buffers, so HVP passes do not update BatchNorm statistics again.
      hvp: needs.has('hvp') ? (v: Tree) => hvp((p: P) => lossOf(o.model.apply(p, xb, { ...ctx, state: { ...modelState } }), yb), params, v as P) : undefined,
      layerStats,
    };
    const [updates, nextOptState] = o.optimizer.update(grads, optState, updateCtx);
    const next = treeMap((p, u) => add(p, u), params, updates);
    if (!isFiniteTree(next)) {
      const where = lastCheckpointStep !== undefined ? `last good checkpoint: ${cp!.path} (step ${lastCheckpointStep})` : 'no checkpoint was written yet';
      throw new NonFiniteLossError(`training stopped: the update at step ${step} made parameters non-finite (loss was ${loss}); ${where}`, step);
    }
    params = next;
    optState = nextOptState;
    modelState = stopGradient(state as Tree) as ModelState;
    if (step % logEvery === 0) metrics.push({ step, epoch, loss });
    step++;
    o.onStep?.({ step, totalSteps: o.steps, epoch, loss });

    const evalNow = (o.evalEvery ?? 0) > 0 && step % o.evalEvery! === 0;
    if (evalNow) {
      const rec = runEval(Math.floor(step / stepsPerEpoch));
      if (o.stopAt && (rec[o.stopAt.metric] ?? -Infinity) >= o.stopAt.atLeast) {
        stoppedBy = 'target';
        break;
      }
    }
    if (cp && step % cp.every === 0) save();
    yield;
  }
  const last = metrics[metrics.length - 1];
  const endedOnEval = last !== undefined && last.step === step && ('testLoss' in last || 'trainLoss' in last);
  if (stoppedBy !== 'abort' && !endedOnEval && (o.test || o.evalTrain)) {
    const rec = runEval(Math.floor(step / stepsPerEpoch));
    if (o.stopAt && (rec[o.stopAt.metric] ?? -Infinity) >= o.stopAt.atLeast) stoppedBy = 'target';
  }
  if (cp && lastCheckpointStep !== step) save();
  return { params, optState, modelState, metrics, step, stoppedBy };
}

/**
 * Gradients plus K-FAC layer statistics. Each tapped layer's pre-activation s gets a zero
 * "probe" added; ∂loss/∂probe = ∂loss/∂s comes out of the same backward pass as the weight
 * gradients. Probe shapes come from a recording forward pass (cached per batch shape).
 */
const probeShapeCache = new WeakMap<object, Map<string, Map<string, readonly number[]>>>();

function gradientsWithLayerStats<P extends Tree>(
  model: Model<P>, params: P, xb: Tensor, yb: Tensor, lossOf: (o: Tensor, y: Tensor) => Tensor, ctx: ApplyCtx,
): { value: Tensor; grads: P; layerStats: Map<string, LayerStat> } {
  let byModel = probeShapeCache.get(model);
  if (!byModel) probeShapeCache.set(model, (byModel = new Map()));
  const shapeKey = xb.shape.join('x');
  let shapes = byModel.get(shapeKey);
  if (!shapes) {
    const found = new Map<string, readonly number[]>();
    model.apply(params, xb, { ...ctx, state: { ...ctx.state }, tap: (site) => (found.set(site.name, site.preActivation.shape), site.preActivation) });
    byModel.set(shapeKey, (shapes = found));
  }
  const probes: Record<string, Tensor> = {};
  for (const [name, shape] of shapes) probes[name] = zeros(shape, xb.dtype);

  const sites = new Map<string, { site: TapSite; weightPath: string; biasPath?: string }>();
  const lossWithProbes = (t: { params: P; probes: Record<string, Tensor> }): Tensor => {
    const { leaves, paths } = treeFlatten(t.params);
    const pathOf = (x: Tensor | undefined): string | undefined => (x ? paths[leaves.indexOf(x)] : undefined);
    const tap = (site: TapSite): Tensor => {
      const probe = t.probes[site.name];
      if (!probe) throw new Error(`trainer: layer ${site.name} appeared only after the probe pass (layer names must be stable)`);
      const weightPath = pathOf(site.weight);
      if (weightPath === undefined) throw new Error(`trainer: layer ${site.name} tapped a weight that is not in the params tree`);
      sites.set(site.name, { site: { ...site, input: stopGradient(site.input) }, weightPath, biasPath: pathOf(site.bias) });
      return add(site.preActivation, probe);
    };
    return lossOf(model.apply(t.params, xb, { ...ctx, tap }), yb);
  };
  const { value, grads } = valueAndGrad(lossWithProbes)({ params, probes });
  const layerStats = new Map<string, LayerStat>();
  for (const [name, { site, weightPath, biasPath }] of sites) {
    layerStats.set(name, { kind: site.kind, input: site.input, outputGrad: grads.probes[name]!, weightPath, biasPath });
  }
  return { value, grads: grads.params, layerStats };
}
