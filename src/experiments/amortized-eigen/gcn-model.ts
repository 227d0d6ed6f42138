/**
 * The two-layer GCN of the low-rank GCN experiment (Kipf & Welling): logits = Â·relu(Â·X·W₁)·W₂,
 * with nn's dense gcnLayer (differentiable in Â), trained with Adam on the labelled nodes.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { argmax, gather } from '../../tensor/ops.ts';
import { relu, softmaxCrossEntropy } from '../../tensor/composed.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { adam } from '../../optim/aliases.ts';
import { applyUpdates } from '../../optim/chain.ts';
import { gcnLayer } from '../../nn/gcn.ts';
import type { LinearParams } from '../../nn/linear.ts';
import type { GraphData } from './sbm.ts';

export type GcnParams = { l1: LinearParams; l2: LinearParams };

export function gcnModel(inFeatures: number, hidden: number, classes: number) {
  const l1 = gcnLayer({ name: 'gcn1', in: inFeatures, out: hidden });
  const l2 = gcnLayer({ name: 'gcn2', in: hidden, out: classes });
  const [k1, k2] = [0, 1];
  return {
    init: (key: Key): GcnParams => ({ l1: l1.init(random.foldIn(key, k1)), l2: l2.init(random.foldIn(key, k2)) }),
    logits: (p: GcnParams, x: Tensor, aHat: Tensor): Tensor => l2.propagate(p.l2, relu(l1.propagate(p.l1, x, aHat)), aHat),
  };
}

export type GcnModel = ReturnType<typeof gcnModel>;

const idx = (a: Int32Array): Tensor => new Tensor(a, [a.length], 'int32');

/** Cross-entropy of the logits on the given nodes. */
export const nodeLoss = (logits: Tensor, g: GraphData, nodes: Int32Array): Tensor =>
  softmaxCrossEntropy(gather(logits, idx(nodes), 0), gather(g.labels, idx(nodes), 0));

export function accuracy(logits: Tensor, g: GraphData, nodes: Int32Array): number {
  const pred = argmax(logits, 1).data;
  let ok = 0;
  for (const i of nodes) if (pred[i] === g.labels.data[i]) ok++;
  return ok / nodes.length;
}

/** Trains the GCN on a fixed normalized adjacency; returns the params and the test accuracy. */
export function trainGcn(model: GcnModel, key: Key, g: GraphData, aHat: Tensor, steps: number, lr: number): { params: GcnParams; testAccuracy: number } {
  const opt = adam(lr);
  let params = model.init(key);
  let state = opt.init(params);
  const vg = valueAndGrad((p: GcnParams) => nodeLoss(model.logits(p, g.features, aHat), g, g.train));
  for (let step = 0; step < steps; step++) {
    const { grads } = vg(params);
    const [upd, next] = opt.update(grads, state, { params, step });
    state = next;
    params = applyUpdates(params, upd);
  }
  return { params, testAccuracy: accuracy(model.logits(params, g.features, aHat), g, g.test) };
}
