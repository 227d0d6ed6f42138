/**
 * Structure perturbation of the low-rank GCN experiment: `budget` edge flips, half at random
 * and half gradient-based — one-shot, in the style of FGA/Metattack's gradient scores (our
 * simplification): with a surrogate GCN trained on the clean graph, score(i, j) =
 * ∂L/∂A_ij·(1 − 2A_ij) for the loss L on all nodes (true labels on train nodes, the surrogate's
 * predictions elsewhere: self-training, as Metattack), and flip the highest-scoring pairs.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { argmax } from '../../tensor/ops.ts';
import { grad } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { normalizeAdjacency } from '../../nn/gcn.ts';
import { nodeLoss, type GcnModel, type GcnParams } from './gcn-model.ts';
import type { GraphData } from './sbm.ts';

export function perturbEdges(key: Key, g: GraphData, model: GcnModel, surrogate: GcnParams, budget: number): Tensor {
  const n = g.nodes;
  const a = Float64Array.from(g.adjacency.data);
  const flipped = new Set<number>();
  const flip = (i: number, j: number): void => {
    a[i * n + j] = a[j * n + i] = 1 - a[i * n + j]!;
    flipped.add(i * n + j);
  };
  // Random half.
  const nRandom = Math.floor(budget / 2);
  const u = random.randint(key, 0, n, [4 * budget + 8, 2]).data;
  for (let t = 0; flipped.size < nRandom && t < u.length / 2; t++) {
    const i = Math.min(u[2 * t]!, u[2 * t + 1]!);
    const j = Math.max(u[2 * t]!, u[2 * t + 1]!);
    if (i !== j && !flipped.has(i * n + j)) flip(i, j);
  }
  // Gradient half, scored on the graph after the random flips.
  const pseudo = Int32Array.from(argmax(model.logits(surrogate, g.features, normalizeAdjacency(g.adjacency)), 1).data as Int32Array);
  for (const i of g.train) pseudo[i] = g.labels.data[i]!;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const gp: GraphData = { ...g, labels: new Tensor(pseudo, [n], 'int32') };
  const ga = grad((adj: Tensor) => nodeLoss(model.logits(surrogate, g.features, normalizeAdjacency(adj)), gp, all))(
    new Tensor(Float64Array.from(a), [n, n], 'float64'),
  ).data;
  const scores: { s: number; i: number; j: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (!flipped.has(i * n + j)) scores.push({ s: (ga[i * n + j]! + ga[j * n + i]!) * (1 - 2 * a[i * n + j]!), i, j });
    }
  }
  scores.sort((x, y) => y.s - x.s || x.i - y.i || x.j - y.j);
  for (const { i, j } of scores.slice(0, budget - flipped.size)) flip(i, j);
  return new Tensor(a, [n, n], 'float64');
}
