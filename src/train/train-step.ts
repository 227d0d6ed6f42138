/**
 * One optimizer step as a pure function of plain data: `step(state, batch, key) → { state, loss,
 * grads }`. It holds everything a step needs beyond "value and gradient": the oracles an optimizer
 * declares (`needs: ['loss' | 'hvp' | 'layerStats']`, incl. K-FAC's probe pass), the model buffers
 * (BatchNorm running statistics), the NaN/Inf guard and the fused `applyUpdates`.
 *
 * `train`/`trainAsync` are a loop around it; write your own loop when you need to step two models
 * in lockstep, change data mid-run, or measure something between steps. The state is plain data
 * (params, optimizer state, model buffers, step count), so it checkpoints with `saveTree(path, state)`
 * (`loadTree(path, skeleton)` reads it back, checked against a state of the same run)
 * and a later call continues exactly where an earlier one stopped.
 */
import { Tensor } from '../tensor/tensor.ts';
import { add, cast } from '../tensor/ops.ts';
import { isFloat } from '../tensor/dtype.ts';
import { softmaxCrossEntropy } from '../tensor/composed.ts';
import { hvp, stopGradient, valueAndGrad } from '../tensor/transforms.ts';
import { treeFlatten, treeMap, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { ApplyCtx, Layer, ModelState } from '../nn/layer.ts';
import type { GradientTransformation, LayerStat, UpdateCtx } from '../optim/transform.ts';
import { applyUpdates } from '../optim/chain.ts';
import { gradientsWithLayerStats } from './layer-stats.ts';
import { structureMismatch } from './state-check.ts';
import { BufferRecycler } from './buffer-recycling.ts';
import { ownAllocations } from '../tensor/buffer-pool.ts';

/** A model: a layer, optionally with buffers (BatchNorm running stats). */
export type Model<P extends Tree = Tree> = Layer<P> & { initState?(): ModelState };

/** Loss of the model output against targets; the mean over the batch. */
export type LossFn = (output: Tensor, targets: Tensor) => Tensor;

/** A parameter-aware term added to the loss (nuclear norm, pull towards the init, Hilbert norm, …). */
export type Regularizer<P extends Tree = Tree> = (params: P, info: { step: number }) => Tensor;

export interface TrainState<P extends Tree = Tree> {
  readonly params: P;
  readonly optState: unknown;
  readonly modelState: ModelState;
  /** Optimizer updates taken so far. */
  readonly step: number;
}

export interface Examples {
  readonly x: Tensor;
  readonly y: Tensor;
}

export interface StepResult<P extends Tree = Tree> {
  readonly state: TrainState<P>;
  /** The objective at the incoming params (data loss plus the regularizer, if any). */
  readonly loss: number;
  /** The data loss alone; present when a regularizer is set. */
  readonly dataLoss?: number;
  /** Gradients of the objective at the incoming params (before the optimizer transformed them). */
  readonly grads: P;
}

export interface TrainStepOptions<P extends Tree = Tree> {
  model: Model<P>;
  optimizer: GradientTransformation<any>;
  /** Default: softmax cross-entropy on integer labels. */
  loss?: LossFn;
  regularizer?: Regularizer<P>;
  /**
   * What the NaN/Inf guard checks after each step: 'loss+params' (default) also scans the updated
   * parameters; 'loss' only the loss — a caller that keeps the previous state can check the
   * parameters itself when the next loss comes out non-finite (the trainer does, saving a pass
   * over every parameter per step).
   */
  guard?: 'loss' | 'loss+params';
  /** Hand the applied updates' buffers to the buffer pool when nothing else holds them (default true; results are identical). */
  recycleUpdates?: boolean;
  /** Parameter dtype: `init` casts the model's float params to it. Default: keep what `model.init` makes (float64 unless the model says otherwise). */
  dtype?: 'float64' | 'float32';
}

export interface TrainStep<P extends Tree = Tree> {
  (state: TrainState<P>, batch: Examples, key: Key): StepResult<P>;
  /** A fresh state: `model.init(key)` params (or the given ones), optimizer state, model buffers, step 0. */
  init(from: Key | { params: P }): TrainState<P>;
  /** Throws a clear error unless `state` belongs to this model and optimizer. */
  check(state: TrainState<P>, where?: string): void;
  readonly model: Model<P>;
  readonly optimizer: GradientTransformation<any>;
  readonly dtype: 'float64' | 'float32' | undefined;
}

/** Raised by the NaN/Inf guard; the state handed to the failing step is left untouched. */
export class NonFiniteLossError extends Error {
  /** The trainer attaches the last state with finite parameters. */
  constructor(
    message: string,
    readonly step: number,
    readonly state?: TrainState,
  ) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

/** True when every element of every leaf is finite. */
export function allFinite(tree: Tree): boolean {
  for (const t of treeFlatten(tree).leaves) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return false;
  }
  return true;
}

const isKey = (k: unknown): k is Key => Array.isArray(k) && k.length === 2 && k.every((v) => Number.isInteger(v));

export function makeTrainStep<P extends Tree>(o: TrainStepOptions<P>): TrainStep<P> {
  const { model, optimizer, regularizer } = o;
  if (!model || typeof model.init !== 'function' || typeof model.apply !== 'function')
    throw new Error('makeTrainStep: model must be a layer { name, init(key), apply(params, x, ctx) }');
  if (!optimizer || typeof optimizer.init !== 'function' || typeof optimizer.update !== 'function')
    throw new Error('makeTrainStep: optimizer must be a GradientTransformation { init, update }');
  const lossOf = o.loss ?? softmaxCrossEntropy;
  if (o.guard !== undefined && o.guard !== 'loss' && o.guard !== 'loss+params')
    throw new Error(`makeTrainStep: guard must be 'loss' or 'loss+params', got ${String(o.guard)}`);
  const checkParams = o.guard !== 'loss';
  const updatesRecycler = o.recycleUpdates === false ? undefined : new BufferRecycler();
  const needs = new Set(optimizer.needs ?? []);
  const dtype = o.dtype;
  if (dtype !== undefined && dtype !== 'float64' && dtype !== 'float32')
    throw new Error(`makeTrainStep: dtype must be 'float64' or 'float32', got ${String(dtype)}`);
  const castParams = (p: P): P =>
    dtype === undefined || treeFlatten(p).leaves.every((t) => t.dtype === dtype) ? p : (treeMap((t) => (isFloat(t.dtype) ? cast(t, dtype!) : t), p) as P);
  let skeleton: P | undefined;
  const skeletonParams = (): P => (skeleton ??= castParams(model.init(random.key(0))));

  const objective =
    (step: number, y: Tensor) =>
    (params: P, output: Tensor): Tensor => {
      const data = lossOf(output, y);
      return regularizer ? add(data, regularizer(params, { step })) : data;
    };

  const check = (state: TrainState<P>, where = 'train step'): void => {
    if (state === null || typeof state !== 'object')
      throw new Error(`${where}: state must be { params, optState, modelState, step }, got ${state === null ? 'null' : typeof state}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`${where}: state.step must be a non-negative integer, got ${String(state.step)}`);
    const params = structureMismatch(skeletonParams(), state.params, { exact: true });
    if (params) throw new Error(`${where}: state.params do not belong to model '${model.name}': ${params}`);
    const opt = structureMismatch(optimizer.init(state.params), state.optState, { exact: false });
    if (opt) throw new Error(`${where}: state.optState was not made by optimizer '${optimizer.name}': ${opt}`);
    const buffers = structureMismatch(model.initState?.() ?? {}, state.modelState ?? {}, { exact: false });
    if (buffers) throw new Error(`${where}: state.modelState does not belong to model '${model.name}': ${buffers}`);
  };

  // What the step allocates is its own (buffer-pool.ts's ownership rule): only that may be recycled.
  const step = ((state: TrainState<P>, batch: Examples, key: Key): StepResult<P> => ownAllocations(() => stepOnce(state, batch, key))) as TrainStep<P>;

  const stepOnce = (state: TrainState<P>, batch: Examples, key: Key): StepResult<P> => {
    const s = state.step;
    const [dropKey, optKey] = random.split(key) as [Key, Key];
    const buffers: ModelState = { ...state.modelState };
    const ctx: ApplyCtx = { training: true, key: dropKey, state: buffers };
    const f = objective(s, batch.y);
    let dataLossTensor: Tensor | undefined;
    const tracked = regularizer
      ? (p: P, out: Tensor): Tensor => {
          const data = lossOf(out, batch.y);
          dataLossTensor = data;
          return add(data, regularizer(p, { step: s }));
        }
      : f;
    let value: Tensor;
    let grads: P;
    let layerStats: Map<string, LayerStat> | undefined;
    if (needs.has('layerStats')) {
      ({ value, grads, layerStats } = gradientsWithLayerStats(model, state.params, batch.x, tracked, ctx));
    } else {
      ({ value, grads } = valueAndGrad((p: P) => tracked(p, model.apply(p, batch.x, ctx)))(state.params));
    }
    const loss = value.item();
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(`training stopped: loss is ${loss} at step ${s}; the state before this step is unchanged`, s);
    const updateCtx: UpdateCtx = {
      params: state.params,
      step: s,
      key: optKey,
      loss: needs.has('loss') ? value : undefined,
      // Each HVP pass gets a scratch copy of the buffers, so it does not update BatchNorm statistics again.
      hvp: needs.has('hvp')
        ? (v: Tree) => hvp((p: P) => f(p, model.apply(p, batch.x, { ...ctx, state: { ...state.modelState } })), state.params, v as P)
        : undefined,
      layerStats,
    };
    const [updates, optState] = optimizer.update(grads, state.optState, updateCtx);
    const params = applyUpdates(state.params, updates);
    // The updates are this step's own: once applied, no one can read them unless the optimizer
    // kept them in its state (momentum's output is its trace) or passed the gradients through.
    updatesRecycler?.release([updates], [state, params, optState, grads]);
    if (checkParams && !allFinite(params))
      throw new NonFiniteLossError(
        `training stopped: the update at step ${s} made parameters non-finite (loss was ${loss}); the state before this step is unchanged`,
        s,
      );
    const modelState = Object.keys(buffers).length === 0 ? buffers : (stopGradient(buffers as Tree) as ModelState);
    return {
      state: { params, optState, modelState, step: s + 1 },
      loss,
      ...(dataLossTensor ? { dataLoss: dataLossTensor.item() } : {}),
      grads,
    };
  };

  const init = (from: Key | { params: P }): TrainState<P> => {
    let params: P;
    if (isKey(from)) params = castParams(model.init(from));
    else if (from && typeof from === 'object' && 'params' in from) {
      params = from.params;
      const m = structureMismatch(skeletonParams(), params, { exact: true });
      if (m) throw new Error(`train step: initial params do not belong to model '${model.name}': ${m}`);
    } else throw new Error('train step: init takes a PRNG key or { params }');
    return { params, optState: optimizer.init(params), modelState: model.initState?.() ?? {}, step: 0 };
  };

  return Object.assign(step, { init, check, model, optimizer, dtype });
}
