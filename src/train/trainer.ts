/**
 * The trainer: a loop of `makeTrainStep` steps over keyed batches, with evaluation, stopping,
 * checkpoints and logging as a small list of hooks.
 *
 * Determinism: every random choice derives from the run key — [init, data, step] = split(key, 3);
 * epoch e's order is permutation(foldIn(data, e), n), step s's dropout/optimizer noise comes from
 * foldIn(step, s) — and the step counter lives in the state. So a run continued from a state
 * (`train(…, { state })`) or from a checkpoint (`resume: true`) replays exactly what an
 * uninterrupted run would have done. Metrics hold no timings.
 *
 * `step` in every record means the same thing: the number of optimizer updates applied to the
 * parameters the record was measured at. A loss record at step s is the minibatch loss that the
 * (s+1)-th update descended; an evaluation at step s is measured after s updates.
 */
import { createHash } from 'node:crypto';
import { Tensor } from '../tensor/tensor.ts';
import { argmax, cast, equal, sum } from '../tensor/ops.ts';
import { softmaxCrossEntropy } from '../tensor/composed.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { ModelState } from '../nn/layer.ts';
import type { GradientTransformation } from '../optim/transform.ts';
import { injectedHyperparams } from '../optim/inject-hyperparams.ts';
import { rowRange, stepBatches } from '../data/step-batches.ts';
import { checkpointExists, loadCheckpointOrPrevious, saveCheckpoint } from './checkpoint.ts';
import { structureMismatch } from './state-check.ts';
import { BufferRecycler } from './buffer-recycling.ts';
import { clearRecycled, ownAllocations } from '../tensor/buffer-pool.ts';
import { loopControl } from './loop-control.ts';
import { allFinite, makeTrainStep, NonFiniteLossError, type Examples, type LossFn, type Model, type Regularizer, type TrainState } from './train-step.ts';

export { NonFiniteLossError } from './train-step.ts';
export type { Examples, Model, TrainState } from './train-step.ts';

export interface MetricRecord {
  step: number;
  epoch: number;
  [metric: string]: number;
}

/**
 * What hooks and `onStep` see after a step: read-only views of the run (tensors are immutable).
 * A view is valid while its hook runs: read what you need there (what you read stays valid for
 * good and is never recycled); reading `params`, `grads`, … from a view kept for later throws.
 */
export interface StepView<P extends Tree = Tree> {
  /** Updates applied so far (the state's step). */
  readonly step: number;
  /** The step this call runs to. */
  readonly totalSteps: number;
  readonly epoch: number;
  /** The minibatch objective that this step descended. */
  readonly loss: number;
  readonly params: P;
  /** Gradients of the objective at the parameters before this step. */
  readonly grads: P;
  readonly optState: unknown;
  readonly modelState: ModelState;
  readonly state: TrainState<P>;
  /** Adds a record `{ step, epoch, ...metrics }` to the run's metrics (stopAt sees it too). */
  log(metrics: Record<string, number>): void;
}

/** @deprecated alias kept for existing callers: `onStep` now receives a full StepView. */
export type StepInfo = StepView;

/** A step hook: `afterStep` runs after every `every`-th step; returning 'stop' ends the run after this step. */
export interface TrainHook<P extends Tree = Tree> {
  readonly name: string;
  readonly every?: number;
  /** Metric names this hook logs, so `stopAt` may name them. */
  readonly metrics?: readonly string[];
  afterStep?(view: StepView<P>): unknown;
  afterEval?(record: MetricRecord, view: StepView<P> | undefined): unknown;
}

/** Stop once a recorded metric reaches a value: `{ metric: 'testAccuracy', atLeast: 0.9 }`, `{ metric: 'loss', atMost: 0.05 }`. */
export type StopAt = { metric: string; atLeast: number; atMost?: undefined } | { metric: string; atMost: number; atLeast?: undefined };

/**
 * Who a checkpoint belongs to (a run folder's config hash and seed): saved in the checkpoint and,
 * when given, required to match on resume, so a checkpoint never continues another run.
 */
export type CheckpointMeta = Readonly<Record<string, string | number>>;

/** How a saved meta differs from the expected one ('' when it matches or none is expected). */
function checkpointMetaDiff(want: CheckpointMeta | undefined, got: unknown): string {
  if (!want) return '';
  const saved = (got ?? {}) as Record<string, unknown>;
  return Object.keys(want)
    .filter((k) => saved[k] !== want[k])
    .map((k) => `${k} ${JSON.stringify(saved[k] ?? null)}, this run ${JSON.stringify(want[k])}`)
    .join('; ');
}

export interface TrainerOptions<P extends Tree = Tree> {
  model: Model<P>;
  optimizer: GradientTransformation<any>;
  train: Examples;
  /** Held-out data for evaluation (test accuracy / loss). */
  test?: Examples;
  /** Loss of the model output against targets; mean over the batch. Default: softmax cross-entropy. */
  loss?: LossFn;
  /** A parameter-aware term added to the loss every step (see makeTrainStep). */
  regularizer?: Regularizer<P>;
  batchSize: number;
  /** Optimizer steps this call runs (from the starting state's step). Each epoch has ⌊n / batchSize⌋ steps. */
  steps: number;
  /** The run key (default: random.key(seed)). */
  key?: Key;
  /** Sugar for `key: random.key(seed)`; default 0. */
  seed?: number;
  /** Starting parameters (default: model.init of the run key's init part). */
  params?: P;
  /** Continue from this state (params, optimizer state, model buffers, step), e.g. an earlier call's `result.state`. */
  state?: TrainState<P>;
  /** Parameter and feature dtype. Default float64 (the reference); float32 uses the fused float kernels. */
  dtype?: 'float64' | 'float32';
  /** Evaluate every this many steps (and at the end unless `evalAtEnd: false`). 0: only at the end. */
  evalEvery?: number;
  evalAtEnd?: boolean;
  /** Also evaluate on the full training set at each evaluation. */
  evalTrain?: boolean;
  evalBatchSize?: number;
  /** Record the training loss every this many steps (default 1; 0: never). */
  logEvery?: number;
  stopAt?: StopAt | readonly StopAt[];
  /** Write a checkpoint to `path` every `every` steps, at the end, and when aborted or stopped. */
  checkpoint?: { path: string; every: number; meta?: CheckpointMeta };
  /**
   * Continue from `checkpoint.path` when it exists (or from its previous good copy `<path>.prev`
   * when the newest is unreadable; one line on stderr says so).
   */
  resume?: boolean;
  /** Mixed into the configuration hash that a checkpoint must match to be resumed. */
  configKey?: string;
  signal?: AbortSignal;
  /** Called after every `onStepEvery`-th step (default every step). Returning 'stop' ends the run (any other value is ignored). */
  onStep?: (view: StepView<P>) => unknown;
  onStepEvery?: number;
  onEval?: (record: MetricRecord) => void;
  /**
   * Every record (loss, evaluation, hook-logged) as it is made: stream it to disk, a terminal, …
   * After a checkpoint resume the restored records are replayed first, so the records seen equal
   * `result.metrics` in order.
   */
  onRecord?: (record: MetricRecord) => void;
  hooks?: readonly TrainHook<P>[];
  /**
   * Reuse the buffers of states, gradients and batches that the loop has proven dead (never shown
   * to a hook, not reachable from the states it still holds) for the next steps' optimizer outputs
   * and batches: fewer fresh allocations and far less GC. Results are identical either way.
   * Default true.
   */
  recycleBuffers?: boolean;
}

export interface TrainResult<P extends Tree = Tree> {
  params: P;
  optState: unknown;
  modelState: ModelState;
  /** Hand this to a later `train` call (`state`) to continue exactly. */
  state: TrainState<P>;
  /** Records made by this call (plus, after a checkpoint resume, those made before the interruption). */
  metrics: MetricRecord[];
  step: number;
  stoppedBy: 'steps' | 'target' | 'hook' | 'abort';
}

const fail = (msg: string): never => {
  throw new Error(`trainer: ${msg}`);
};

function checkOptions(o: TrainerOptions<any>): void {
  if (!(o.train?.x instanceof Tensor) || !(o.train?.y instanceof Tensor)) fail('train must be { x: Tensor, y: Tensor }');
  const n = o.train.x.shape[0]!;
  if (o.train.y.shape[0] !== n) fail(`train.x has ${n} examples but train.y has ${o.train.y.shape[0]}`);
  if (o.test && (!(o.test.x instanceof Tensor) || !(o.test.y instanceof Tensor) || o.test.x.shape[0] !== o.test.y.shape[0]))
    fail('test must be { x: Tensor, y: Tensor } with as many targets as examples');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) fail(`batchSize must be a positive integer, got ${o.batchSize}`);
  if (o.batchSize > n) fail(`batchSize ${o.batchSize} is larger than the training set (${n} examples)`);
  if (!Number.isInteger(o.steps) || o.steps < 0) fail(`steps must be a non-negative integer, got ${o.steps}`);
  for (const [name, v] of [
    ['evalEvery', o.evalEvery],
    ['logEvery', o.logEvery],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) fail(`${name} must be a non-negative integer, got ${v}`);
  }
  if (o.onStepEvery !== undefined && (!Number.isInteger(o.onStepEvery) || o.onStepEvery < 1))
    fail(`onStepEvery must be a positive integer, got ${o.onStepEvery}`);
  if (o.checkpoint && (!Number.isInteger(o.checkpoint.every) || o.checkpoint.every < 1))
    fail(`checkpoint.every must be a positive integer, got ${o.checkpoint.every}`);
  if (o.params && o.state) fail('give either params (a fresh start from them) or state (a continuation), not both');
  if (o.seed !== undefined && o.key !== undefined) fail('give either key or seed, not both');
  if (o.dtype !== undefined && o.dtype !== 'float64' && o.dtype !== 'float32') fail(`dtype must be 'float64' or 'float32', got ${String(o.dtype)}`);
  for (const h of o.hooks ?? []) {
    if (!h || typeof h.name !== 'string') fail('every hook needs a name');
    if (h.every !== undefined && (!Number.isInteger(h.every) || h.every < 1)) fail(`hook '${h.name}': every must be a positive integer, got ${h.every}`);
  }
  for (const [name, ds] of [
    ['train', o.train],
    ['test', o.test],
  ] as const) {
    if (ds && ds.y.dtype === 'int32' && !o.loss) {
      const d = ds.y.data;
      for (let i = 0; i < d.length; i++) if (d[i]! < 0) fail(`${name} label ${d[i]} at index ${i} is negative`);
    }
  }
}

const stopConditions = (o: TrainerOptions<any>): readonly StopAt[] => (o.stopAt === undefined ? [] : Array.isArray(o.stopAt) ? o.stopAt : [o.stopAt as StopAt]);

/** The metric names this run will record, so a `stopAt` naming anything else fails before the first step. */
function recordedMetrics(o: TrainerOptions<any>, optState: unknown): Set<string> {
  const names = new Set<string>();
  if ((o.logEvery ?? 1) > 0) {
    names.add('loss');
    if (o.regularizer) names.add('dataLoss');
    for (const k of Object.keys(injectedHyperparams(optState) ?? {})) names.add(k);
  }
  const evaluates = (o.evalEvery ?? 0) > 0 || o.evalAtEnd !== false;
  if (evaluates) {
    for (const [prefix, ds] of [
      ['train', o.evalTrain ? o.train : undefined],
      ['test', o.test],
    ] as const) {
      if (!ds) continue;
      names.add(`${prefix}Loss`);
      if (ds.y.dtype === 'int32') names.add(`${prefix}Accuracy`);
    }
  }
  for (const h of o.hooks ?? []) for (const m of h.metrics ?? []) names.add(m);
  return names;
}

function checkStopAt(o: TrainerOptions<any>, recorded: Set<string>): void {
  for (const c of stopConditions(o)) {
    if (!c || typeof c.metric !== 'string') fail('stopAt needs { metric, atLeast } or { metric, atMost }');
    const hasLeast = typeof c.atLeast === 'number';
    const hasMost = typeof c.atMost === 'number';
    if (hasLeast === hasMost) fail(`stopAt '${c.metric}': give exactly one of atLeast and atMost`);
    if (!Number.isFinite(hasLeast ? c.atLeast : c.atMost)) fail(`stopAt '${c.metric}': the threshold must be a finite number`);
    if (!recorded.has(c.metric)) {
      fail(
        `stopAt: metric '${c.metric}' is never recorded by this run (it records: ${[...recorded].sort().join(', ') || 'nothing'}; evaluation metrics need test data or evalTrain, hook metrics a hook that declares them)`,
      );
    }
  }
}

/** sha256 of the float and integer bytes of every tensor in `values`, in tree order. */
function digestTensors(values: readonly unknown[]): string {
  const h = createHash('sha256');
  for (const v of values) {
    for (const t of treeFlatten(v as Tree).leaves) {
      h.update(`${t.dtype}${t.shape.join('x')};`);
      h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * What a checkpoint must have been written by to be resumed: model, optimizer and loss names,
 * batch size, key, dtype, the starting state's bytes (a continuation from another state is another
 * run) and the data's bytes. What names cannot tell apart — the insides of a custom loss or
 * regularizer, schedules (named 'schedule') — goes in `configKey`.
 */
function configHash(o: TrainerOptions<any>, key: Key, initial: TrainState<any>, data: readonly Examples[]): string {
  const { paths, leaves } = treeFlatten(initial.params);
  const desc = {
    model: o.model.name,
    optimizer: o.optimizer.name,
    batchSize: o.batchSize,
    key: [...key],
    origin: initial.step,
    dtype: o.dtype ?? 'float64',
    loss: o.loss ? o.loss.name || 'custom' : 'softmaxCrossEntropy',
    regularizer: o.regularizer ? o.regularizer.name || 'custom' : null,
    train: [o.train.x.shape, o.train.y.shape],
    params: paths.map((p, i) => `${p}:${leaves[i]!.shape.join('x')}`),
    start: o.state || o.params ? digestTensors([initial.params, initial.optState as Tree, initial.modelState as Tree]) : null,
    data: digestTensors(data.flatMap((d) => [d.x, d.y])),
    extra: o.configKey ?? '',
  };
  return createHash('sha256').update(JSON.stringify(desc)).digest('hex').slice(0, 16);
}

const asDtype = (e: Examples, dtype: 'float64' | 'float32'): Examples =>
  e.x.dtype === dtype || (e.x.dtype !== 'float64' && e.x.dtype !== 'float32') ? e : { x: cast(e.x, dtype), y: e.y };

/** Classification accuracy and mean loss over a dataset, in eval mode, in contiguous fixed-order batches. */
export function evaluate<P extends Tree>(
  model: Model<P>,
  params: P,
  data: Examples,
  opts: { loss?: LossFn; batchSize?: number; state?: ModelState } = {},
): { loss: number; accuracy?: number } {
  const n = data.x.shape[0]!;
  const bs = opts.batchSize ?? 1000;
  if (!Number.isInteger(bs) || bs < 1) throw new Error(`evaluate: batchSize must be a positive integer, got ${bs}`);
  const lossFn = opts.loss ?? softmaxCrossEntropy;
  let lossSum = 0;
  let correct = 0;
  const classify = data.y.dtype === 'int32';
  for (let start = 0; start < n; start += bs) {
    const end = Math.min(start + bs, n);
    const xb = rowRange(data.x, start, end);
    const yb = rowRange(data.y, start, end);
    const out = model.apply(params, xb, { training: false, state: opts.state });
    lossSum += lossFn(out, yb).item() * (end - start);
    if (classify && out.rank === 2) correct += sum(cast(equal(argmax(out, 1), yb), 'int32')).item();
  }
  return classify ? { loss: lossSum / n, accuracy: correct / n } : { loss: lossSum / n };
}

/** Run (or continue, or resume) a training run to completion, synchronously. */
export function train<P extends Tree>(o: TrainerOptions<P>): TrainResult<P> {
  const steps = trainSteps(o);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same run, yielding to the event loop every ~50 ms (loopControl) so that signals (Ctrl-C →
 * `signal`), timers and progress output are served during long runs.
 */
export async function trainAsync<P extends Tree>(o: TrainerOptions<P>): Promise<TrainResult<P>> {
  const steps = trainSteps(o);
  const control = loopControl({ budgetMs: 50 });
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await control.tick();
  }
}

/** The training loop as a generator that yields after every step. */
function* trainSteps<P extends Tree>(o: TrainerOptions<P>): Generator<void, TrainResult<P>> {
  checkOptions(o);
  const dtype = o.dtype;
  const trainData = dtype ? asDtype(o.train, dtype) : o.train;
  const testData = o.test && dtype ? asDtype(o.test, dtype) : o.test;
  const runKey = o.key ?? random.key(o.seed ?? 0);
  const [initKey, dataKey, stepKey] = random.split(runKey, 3) as [Key, Key, Key];
  // The guard scans parameters only when a loss comes out non-finite (below), not after every step.
  const step = makeTrainStep({
    model: o.model,
    optimizer: o.optimizer,
    loss: o.loss,
    regularizer: o.regularizer,
    dtype,
    guard: 'loss',
    recycleUpdates: o.recycleBuffers !== false,
  });
  if (o.state) step.check(o.state, 'trainer');
  const initial = o.state ?? step.init(o.params ? { params: o.params } : initKey);
  const batcher = stepBatches(trainData, o.batchSize, dataKey);
  const epochOf = (s: number): number => Math.floor(s / batcher.stepsPerEpoch);
  const endStep = initial.step + o.steps;
  // Hashing the data costs a pass over it: only a run that checkpoints needs the hash.
  const hash = o.checkpoint ? configHash(o, runKey, initial, testData ? [trainData, testData] : [trainData]) : '';

  let state = initial;
  let previous: TrainState<P> | undefined;
  const recycler = o.recycleBuffers === false ? undefined : new BufferRecycler();
  // The caller holds what it passed in.
  if (o.state || o.params) recycler?.protect(initial);
  let metrics: MetricRecord[] = [];
  let lastCheckpointStep: number | undefined;
  let resumedStop: 'target' | 'hook' | undefined;
  const stops = stopConditions(o);
  const meetsStop = (rec: MetricRecord): boolean =>
    stops.some((c) => rec[c.metric] !== undefined && (c.atLeast !== undefined ? rec[c.metric]! >= c.atLeast : rec[c.metric]! <= c.atMost!));
  const cp = o.checkpoint;
  if (o.resume && cp && checkpointExists(cp.path)) {
    const { payload: c, from, fellBack } = loadCheckpointOrPrevious(cp.path);
    if (fellBack) process.stderr.write(`trainer: ${fellBack}; resuming from the previous good checkpoint ${from}\n`);
    if (c['configHash'] !== hash) {
      throw new Error(`checkpoint ${from}: written by a different configuration (hash ${String(c['configHash'])}, this run ${hash}); refusing to resume`);
    }
    const metaDiff = checkpointMetaDiff(cp.meta, c['meta']);
    if (metaDiff) throw new Error(`checkpoint ${from}: written by another run (${metaDiff}); refusing to resume`);
    const mismatch = structureMismatch(initial.params, c['params'], { exact: true });
    if (mismatch) throw new Error(`checkpoint ${cp.path}: parameters do not match this model: ${mismatch}`);
    const savedStep = c['step'] as number;
    if (savedStep > endStep) throw new Error(`checkpoint ${cp.path}: it is at step ${savedStep}, past this call's end (step ${endStep}); refusing to resume`);
    state = { params: c['params'] as P, optState: c['optState'], modelState: (c['modelState'] ?? {}) as ModelState, step: savedStep };
    metrics = c['metrics'] as MetricRecord[];
    lastCheckpointStep = state.step;
    // onRecord sees the whole run in order: the records restored from the checkpoint come first.
    for (const rec of metrics) o.onRecord?.(rec);
    // A run that had already stopped (stopAt reached, a hook said stop) stays stopped.
    const saved = c['stoppedBy'];
    resumedStop = saved === 'target' || saved === 'hook' ? saved : metrics.some(meetsStop) ? 'target' : undefined;
  }
  checkStopAt(o, recordedMetrics(o, state.optState));

  /**
   * The guard's error, once a loss came out non-finite or before anything is saved or returned:
   * if the current parameters are themselves non-finite, the previous update made them so and the
   * state before it is the last finite one.
   */
  const where = (): string =>
    lastCheckpointStep !== undefined ? `last good checkpoint: ${cp!.path} (step ${lastCheckpointStep})` : 'no checkpoint was written yet';
  const nonFinite = (lossMessage: string, at: number): NonFiniteLossError => {
    if (previous && !allFinite(state.params)) {
      return new NonFiniteLossError(
        `training stopped: the update at step ${previous.step} made parameters non-finite (epoch ${epochOf(previous.step)}); parameters left at their last finite values (step ${previous.step}); ${where()}`,
        previous.step,
        previous,
      );
    }
    return new NonFiniteLossError(`${lossMessage}; parameters left at their last finite values; ${where()}`, at, state);
  };
  const checkFiniteParams = (): void => {
    if (previous && !allFinite(state.params)) throw nonFinite('', state.step);
  };

  const save = (): void => {
    if (!cp) return;
    checkFiniteParams();
    saveCheckpoint(cp.path, {
      configHash: hash,
      ...(cp.meta ? { meta: cp.meta } : {}),
      step: state.step,
      params: state.params,
      optState: state.optState,
      modelState: state.modelState,
      metrics,
      stoppedBy,
    });
    lastCheckpointStep = state.step;
  };

  let stoppedBy: TrainResult['stoppedBy'] = resumedStop ?? 'steps';
  const record = (rec: MetricRecord): void => {
    metrics.push(rec);
    o.onRecord?.(rec);
    if (meetsStop(rec)) stoppedBy = 'target';
  };

  const runEval = (view: StepView<P> | undefined): void => {
    const rec: MetricRecord = { step: state.step, epoch: epochOf(state.step) };
    for (const [prefix, ds] of [
      ['train', o.evalTrain ? trainData : undefined],
      ['test', testData],
    ] as const) {
      if (!ds) continue;
      const r = evaluate(o.model, state.params, ds, { loss: o.loss, batchSize: o.evalBatchSize, state: state.modelState });
      rec[`${prefix}Loss`] = r.loss;
      if (r.accuracy !== undefined) rec[`${prefix}Accuracy`] = r.accuracy;
    }
    record(rec);
    o.onEval?.(rec);
    for (const h of hooks) if (h.afterEval?.(rec, view) === 'stop' && stoppedBy === 'steps') stoppedBy = 'hook';
  };

  const hooks: TrainHook<P>[] = [...(o.hooks ?? [])];
  if (o.onStep) hooks.unshift({ name: 'onStep', every: o.onStepEvery ?? 1, afterStep: o.onStep });
  const evalEvery = o.evalEvery ?? 0;
  const logEvery = o.logEvery ?? 1;
  const evaluates = Boolean(testData || o.evalTrain);
  let lastEvalStep = -1;

  while (state.step < endStep && stoppedBy === 'steps') {
    if (o.signal?.aborted) {
      stoppedBy = 'abort';
      break;
    }
    const s = state.step;
    const batch = ownAllocations(() => batcher.at(s));
    let r;
    try {
      r = step(state, batch, random.foldIn(stepKey, s));
    } catch (e) {
      if (!(e instanceof NonFiniteLossError)) throw e;
      throw nonFinite(`${e.message.replace(/; the state before this step is unchanged$/, '')} (epoch ${batch.epoch})`, e.step);
    }
    const dropped = previous;
    previous = state;
    state = r.state;
    if (logEvery > 0 && s % logEvery === 0) {
      const rec: MetricRecord = { step: s, epoch: batch.epoch, loss: r.loss };
      if (r.dataLoss !== undefined) rec['dataLoss'] = r.dataLoss;
      Object.assign(rec, injectedHyperparams(state.optState));
      record(rec);
    }
    const current = state;
    // Reading params/state/grads through a view shows them to the caller: never recycle those. The
    // view itself expires when this step's hooks are done (what was read from it stays valid).
    let gradsShown = false;
    let expired = false;
    const read = (what: string): void => {
      if (expired)
        throw new Error(
          `trainer: this StepView (step ${current.step}) has expired; read ${what} inside the hook (what you read there stays valid and is never recycled), not from a view kept for later`,
        );
    };
    const show = (what: string): TrainState<P> => (read(what), recycler?.protect(current), current);
    const view: StepView<P> = {
      step: current.step,
      totalSteps: endStep,
      epoch: epochOf(current.step),
      loss: r.loss,
      get params() {
        return show('params').params;
      },
      get grads() {
        read('grads');
        gradsShown = true;
        recycler?.protect(r.grads);
        return r.grads;
      },
      get optState() {
        return show('optState').optState;
      },
      get modelState() {
        return show('modelState').modelState;
      },
      get state() {
        return show('state');
      },
      log: (m) => record({ step: current.step, epoch: epochOf(current.step), ...m }),
    };
    for (const h of hooks) {
      if (h.afterStep && current.step % (h.every ?? 1) === 0 && h.afterStep(view) === 'stop' && stoppedBy === 'steps') stoppedBy = 'hook';
    }
    if (evaluates && evalEvery > 0 && current.step % evalEvery === 0) {
      runEval(view);
      lastEvalStep = current.step;
    }
    if (cp && current.step % cp.every === 0) save();
    expired = true;
    recycler?.release([dropped, gradsShown ? undefined : r.grads, batch.x], [previous, state]);
    yield;
  }
  if (stoppedBy !== 'abort' && evaluates && o.evalAtEnd !== false && lastEvalStep !== state.step) {
    const last = metrics[metrics.length - 1];
    const endedOnEval = last !== undefined && last.step === state.step && ('testLoss' in last || 'trainLoss' in last);
    if (!endedOnEval) runEval(undefined);
  }
  checkFiniteParams();
  if (cp && lastCheckpointStep !== state.step) save();
  // Give the pooled buffers back to the GC: a finished run should not pin memory.
  if (recycler) clearRecycled();
  return { params: state.params, optState: state.optState, modelState: state.modelState, state, metrics, step: state.step, stoppedBy };
}
