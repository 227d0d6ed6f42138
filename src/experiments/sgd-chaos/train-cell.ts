/**
 * One training run of the pruned-SGD grid as a pure function `(cell, key) → row`: plain SGD or CGD
 * with a prune set, from the seed's initialization and batch order (both depend on the seed only,
 * so every mode of a seed sees the same init and batches). CGD uses the exact mini-batch Hessian
 * (mlpLossGradHessian) + eigh, or Lanczos top-k on HVPs, then the same `cgdDirection` as the
 * `pruneCurvature` transformation (a test checks the two agree).
 */
import { mlp } from '../../nn/mlp.ts';
import { foldIn, type Key } from '../../tensor/prng.ts';
import { softmaxCrossEntropy } from '../../tensor/composed.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { Tree } from '../../tensor/tree.ts';
import { treeLayout } from '../../spectral/flat.ts';
import { hessianOperator } from '../../spectral/hessian-operator.ts';
import { mlpLossGradHessian } from '../../methods/sgd-chaos/mlp-hessian.ts';
import { denseEigenpairs, lanczosEigenpairs, type Eigenpairs } from '../../methods/sgd-chaos/spectrum.ts';
import { cgdDirection } from '../../methods/sgd-chaos/project.ts';
import { permutation } from '../../methods/sgd-chaos/rng.ts';
import { batchRows, chaosData, gather, type ChaosData } from './data.ts';

export type Mode = 'sgd' | 'neg' | 'pos' | 'chaotic' | 'random';

export interface RunSettings {
  trainSize: number;
  evalSize: number;
  features: number;
  hidden: number[];
  lr: number;
  batch: number;
  steps: number;
  evalEvery: number;
  momentum: number;
  spectrum: 'dense' | 'lanczos';
  lanczosK: number;
}

export interface TrainCell extends RunSettings {
  mode: Mode;
  seed: number;
  start: number;
}

export interface TrainRow {
  mode: Mode;
  seed: number;
  start: number;
  curve: { step: number; loss: number; acc: number }[];
  finalLoss: number;
  finalAcc: number;
  /** Mean directions pruned per pruning step. */
  meanPruned: number;
}

export interface Runner {
  data: ChaosData;
  sizes: number[];
  loss: (p: Tree, b: { x: Tensor; y: Tensor }) => Tensor;
  layout: ReturnType<typeof treeLayout>;
  init: (seed: number) => Float64Array;
  rows: (seed: number, t: number) => number[];
  evaluate: (theta: Float64Array) => { loss: number; acc: number };
}

/** Data, model, per-seed init and batch order: everything that depends on the seed only. */
export function runner(s: RunSettings, key: Key): Runner {
  const data = chaosData(s.trainSize, s.evalSize, s.features);
  const sizes = [s.features, ...s.hidden, 10];
  const model = mlp({ sizes });
  const loss = (p: Tree, b: { x: Tensor; y: Tensor }) => softmaxCrossEntropy(model.apply(p as never, b.x), b.y);
  const layout = treeLayout(model.init(key));
  const orders = new Map<string, number[]>();
  const order = (seed: number) => (epoch: number) => {
    const id = `${seed}/${epoch}`;
    let o = orders.get(id);
    if (!o) {
      o = permutation(foldIn(foldIn(key, 2), seed * 100003 + epoch), data.n);
      orders.set(id, o);
    }
    return o;
  };
  return {
    data,
    sizes,
    loss,
    layout,
    init: (seed) => layout.flatten(model.init(foldIn(foldIn(key, 1), seed))),
    rows: (seed, t) => batchRows(order(seed), data.n, s.batch, t),
    evaluate: (theta) => {
      const logits = model.apply(layout.unflatten(theta) as never, data.evalX);
      const l = softmaxCrossEntropy(logits, data.evalY).item();
      const z = logits.data,
        C = 10,
        m = data.evalY.size;
      let right = 0;
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (z[i * C + c]! > z[i * C + best]!) best = c;
        if (best === data.evalY.data[i]) right++;
      }
      return { loss: l, acc: right / m };
    },
  };
}

/** The gradient, and the eigenpairs when asked (exact dense or Lanczos). */
export function probe(
  r: Runner,
  s: RunSettings,
  theta: Float64Array,
  batch: { x: Tensor; y: Tensor },
  withPairs: boolean,
  key: Key,
): { g: Float64Array; loss: number; pairs?: Eigenpairs; hessian?: Float64Array } {
  const params = r.layout.unflatten(theta) as Tree;
  if (withPairs && s.spectrum === 'dense') {
    const h = mlpLossGradHessian(params, batch.x, batch.y);
    return { g: h.grad, loss: h.loss, pairs: denseEigenpairs(h.hessian, h.n), hessian: h.hessian };
  }
  const { value, grads } = valueAndGrad((p: Tree) => r.loss(p, batch))(params);
  const loss = value.item();
  if (!Number.isFinite(loss)) throw new Error(`probe: the loss is ${loss} (non-finite) at this step`);
  const g = r.layout.flatten(grads);
  if (!withPairs) return { g, loss };
  const op = hessianOperator(r.loss, params, batch);
  return { g, loss, pairs: lanczosEigenpairs((v) => op.matvec(v), r.layout.size, { k: Math.min(s.lanczosK, r.layout.size), key }) };
}

export function evaluateTrainCell(c: TrainCell, key: Key, onEval?: (p: { step: number; loss: number; acc: number }) => void): TrainRow {
  const r = runner(c, key);
  let theta = r.init(c.seed);
  const n = theta.length;
  const buf = new Float64Array(n);
  const curve: TrainRow['curve'] = [];
  let prunedTotal = 0,
    pruneSteps = 0;
  const record = (step: number) => {
    const e = r.evaluate(theta);
    const p = { step, ...e };
    curve.push(p);
    onEval?.(p);
  };
  for (let t = 0; t < c.steps; t++) {
    if (t % c.evalEvery === 0) record(t);
    const batch = gather(r.data, r.rows(c.seed, t));
    const stepKey = foldIn(foldIn(key, 3), c.seed * 1000003 + t);
    const pruning = c.mode !== 'sgd' && t >= c.start;
    const pr = probe(r, c, theta, batch, pruning, stepKey);
    let d = pr.g;
    if (pruning) {
      const dir = cgdDirection(pr.g, pr.pairs!, { set: c.mode as Exclude<Mode, 'sgd'>, lr: c.lr }, stepKey);
      if (dir.direction) d = dir.direction;
      prunedTotal += dir.pruned.length;
      pruneSteps++;
    }
    // PyTorch SGD: buf = μ·buf + d (buf = d on the first step); θ −= η·buf.
    for (let i = 0; i < n; i++) buf[i] = t === 0 || c.momentum === 0 ? d[i]! : c.momentum * buf[i]! + d[i]!;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] = theta[i]! - c.lr * buf[i]!;
    theta = next;
  }
  record(c.steps);
  const last = curve.at(-1)!;
  return { mode: c.mode, seed: c.seed, start: c.start, curve, finalLoss: last.loss, finalAcc: last.acc, meanPruned: pruneSteps ? prunedTotal / pruneSteps : 0 };
}
