/**
 * A stochastic block model with node features, generated here for the low-rank GCN experiment:
 * C equal communities, edge probability pIn inside and pOut across; features = signal·μ_class +
 * N(0, 1) noise, so neither the graph nor the features alone classify perfectly. Train nodes:
 * the first `trainFraction` of a random permutation; the rest are test nodes.
 */
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';

export interface GraphData {
  nodes: number;
  classes: number;
  adjacency: Tensor;
  features: Tensor;
  labels: Tensor;
  train: Int32Array;
  test: Int32Array;
}

export interface SbmOptions {
  nodes: number;
  classes: number;
  features: number;
  pIn: number;
  pOut: number;
  signal: number;
  trainFraction: number;
}

export function stochasticBlockModel(key: Key, o: SbmOptions): GraphData {
  const [ke, km, kf, kp] = random.split(key, 4) as [Key, Key, Key, Key];
  const n = o.nodes;
  const cls = Int32Array.from({ length: n }, (_, i) => Math.floor((i * o.classes) / n));
  const u = random.uniform(ke, [n, n]).data;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (u[i * n + j]! < (cls[i] === cls[j] ? o.pIn : o.pOut)) a[i * n + j] = a[j * n + i] = 1;
    }
  }
  const mu = random.normal(km, [o.classes, o.features]).data;
  const x = Float64Array.from(random.normal(kf, [n, o.features]).data);
  for (let i = 0; i < n; i++) for (let f = 0; f < o.features; f++) x[i * o.features + f]! += o.signal * mu[cls[i]! * o.features + f]!;
  const perm = random.permutation(kp, n).data as Int32Array;
  const nTrain = Math.max(o.classes, Math.round(o.trainFraction * n));
  return {
    nodes: n,
    classes: o.classes,
    adjacency: new Tensor(a, [n, n], 'float64'),
    features: new Tensor(x, [n, o.features], 'float64'),
    labels: new Tensor(cls, [n], 'int32'),
    train: Int32Array.from(perm.subarray(0, nTrain)).sort(),
    test: Int32Array.from(perm.subarray(nTrain)).sort(),
  };
}

/** Number of undirected edges (upper triangle) of a 0/1 adjacency. */
export function edgeCount(a: Tensor): number {
  const n = a.shape[0]!;
  let e = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (a.data[i * n + j]! > 0.5) e++;
  return e;
}
