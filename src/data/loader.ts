/**
 * Moving examples around: keyed shuffles, minibatches, splits, disjoint chunks, label noise,
 * subsets, image downsampling, PCA and standardization. Every random choice comes from an
 * explicit key (a permutation or randint from random.ts), so the same key gives the same batches
 * on every run. These are data-preparation steps, not model code: they copy rows of the raw
 * typed arrays instead of building autodiff graphs.
 */
import { allocate, isFloat } from '../tensor/dtype.ts';
import { allocateUninitialized } from '../tensor/arena.ts';
import { fmt } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { cast, matmul, mul, sub } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/random.ts';
import * as linalg from '../linalg/index.ts';
import { checkDataset, numExamples, type Dataset } from './dataset.ts';

function checkInt(where: string, what: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${where}: ${what} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkDs(where: string, ds: Dataset): Dataset {
  if (!ds || !(ds.x instanceof Tensor) || !(ds.y instanceof Tensor)) throw new Error(`${where}: expected a dataset { x, y, name }`);
  if (ds.x.rank < 1 || ds.y.rank < 1 || ds.x.shape[0] !== ds.y.shape[0]) {
    throw new Error(`${where}: dataset '${ds.name}' has x ${fmt(ds.x.shape)} and y ${fmt(ds.y.shape)} of different lengths`);
  }
  return ds;
}

/** Rows `indices` of t (along axis 0), copied; same dtype. */
export function takeRows(t: Tensor, indices: ArrayLike<number>, where = 'takeRows'): Tensor {
  const n = t.shape[0]!;
  const row = n === 0 ? 0 : t.size / n;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`${where}: index ${r} at position ${i} is outside [0, ${n})`);
  }
  // Every row of the output is written below, so large float outputs skip the zero fill.
  const out = t.dtype === 'float64' || t.dtype === 'float32' ? allocateUninitialized(t.dtype, indices.length * row) : allocate(t.dtype, indices.length * row);
  copyRows(t.data, out, indices, row);
  return new Tensor(out, [indices.length, ...t.shape.slice(1)], t.dtype);
}

// Rows of one element (labels) are copied element by element: a subarray view per row would cost
// more than the copy. Long rows go through set(), which is a memcpy.
function copyRows(
  src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  out: { set(a: ArrayLike<number>, at: number): void; [i: number]: number },
  indices: ArrayLike<number>,
  row: number,
): void {
  if (row === 1) {
    for (let i = 0; i < indices.length; i++) out[i] = src[indices[i]!]!;
  } else if (row < 32) {
    for (let i = 0; i < indices.length; i++) {
      const from = indices[i]! * row;
      for (let j = 0; j < row; j++) out[i * row + j] = src[from + j]!;
    }
  } else {
    for (let i = 0; i < indices.length; i++) out.set(src.subarray(indices[i]! * row, (indices[i]! + 1) * row), i * row);
  }
}

function indexArray(where: string, indices: Tensor | ArrayLike<number>): ArrayLike<number> {
  if (indices instanceof Tensor) {
    if (indices.dtype !== 'int32' || indices.rank !== 1)
      throw new Error(`${where}: indices must be an int32 [m] tensor, got ${indices.dtype} ${fmt(indices.shape)}`);
    return indices.data;
  }
  return indices;
}

/** The examples at `indices` (in that order; repeats allowed), as a dataset with the same name. */
export function takeBatch(ds: Dataset, indices: Tensor | ArrayLike<number>, name = ds.name): Dataset {
  checkDs('takeBatch', ds);
  const idx = indexArray('takeBatch', indices);
  const where = `takeBatch(${ds.name})`;
  return { x: takeRows(ds.x, idx, where), y: takeRows(ds.y, idx, where), numClasses: ds.numClasses, name };
}

/** All examples in the order of permutation(key, n). */
export function shuffle(key: Key, ds: Dataset): Dataset {
  checkDs('shuffle', ds);
  return takeBatch(ds, random.permutation(key, numExamples(ds)));
}

export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Which examples of the dataset this batch holds (for per-example bookkeeping). */
  indices: Int32Array;
}

/**
 * One epoch of minibatches. With `key`, the order is permutation(key, n) (use
 * foldIn(key, epoch) for a new order each epoch); without, examples come in dataset order.
 * The last batch is smaller unless `dropLast` drops it.
 */
export function batches(ds: Dataset, batchSize: number, opts: { key?: Key; dropLast?: boolean } = {}): Generator<Batch, void, undefined> {
  checkDs('batches', ds);
  const n = numExamples(ds);
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new Error(`batches: batchSize ${JSON.stringify(batchSize)} must be an integer in [1, ${n}] (dataset '${ds.name}' has ${n} examples)`);
  }
  const order = opts.key === undefined ? Int32Array.from({ length: n }, (_, i) => i) : (random.permutation(opts.key, n).data as Int32Array);
  const end = opts.dropLast ? n - (n % batchSize) : n;
  // Validation above runs at the call; only the copying is deferred to iteration.
  return (function* () {
    for (let start = 0; start < end; start += batchSize) {
      const indices = order.slice(start, Math.min(start + batchSize, n));
      yield { x: takeRows(ds.x, indices), y: takeRows(ds.y, indices), indices };
    }
  })();
}

/**
 * Splits into [head, tail]: a number in (0, 1) is the head's fraction (rounded to the nearest
 * count), an integer is the head's count. Order is kept; pass `key` to shuffle first.
 */
export function split(ds: Dataset, sizeOrFraction: number, opts: { key?: Key } = {}): [Dataset, Dataset] {
  checkDs('split', ds);
  const n = numExamples(ds);
  const s = sizeOrFraction;
  let k: number;
  if (typeof s === 'number' && s > 0 && s < 1) k = Math.round(s * n);
  else k = checkInt('split', `size (a count; or a fraction in (0, 1)) for dataset '${ds.name}' of ${n}`, s, 0, n);
  const src = opts.key === undefined ? ds : shuffle(opts.key, ds);
  const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
  return [takeBatch(src, range(0, k), `${ds.name}[0:${k}]`), takeBatch(src, range(k, n), `${ds.name}[${k}:${n}]`)];
}

/**
 * Indices of J disjoint parts covering 0..n-1 once, sizes ⌈n/J⌉ then ⌊n/J⌋; in order, or in the
 * order of permutation(key, n). Each part is sorted so a chunk keeps the dataset's order.
 */
export function chunkIndices(n: number, parts: number, key?: Key): Int32Array[] {
  checkInt('chunk', `number of parts (for ${n} examples)`, parts, 1, Math.max(n, 1));
  const order = key === undefined ? Int32Array.from({ length: n }, (_, i) => i) : (random.permutation(key, n).data as Int32Array);
  const out: Int32Array[] = [];
  const base = Math.floor(n / parts);
  const extra = n % parts;
  let start = 0;
  for (let j = 0; j < parts; j++) {
    const size = base + (j < extra ? 1 : 0);
    out.push(order.slice(start, start + size).sort());
    start += size;
  }
  return out;
}

/** J disjoint datasets that together hold every example once (warm-start protocols). */
export function chunk(ds: Dataset, parts: number, key?: Key): Dataset[] {
  checkDs('chunk', ds);
  return chunkIndices(numExamples(ds), parts, key).map((idx, j) => takeBatch(ds, idx, `${ds.name}#${j}/${parts}`));
}

/**
 * Replaces exactly round(fraction·n) labels, at positions chosen by key, with a different class
 * drawn uniformly from the other numClasses − 1. Returns the noisy dataset and the sorted
 * indices that changed.
 */
export function withLabelNoise(key: Key, ds: Dataset, fraction: number): { dataset: Dataset; changed: Int32Array } {
  checkDs('withLabelNoise', ds);
  if (ds.y.dtype !== 'int32' || ds.y.rank !== 1)
    throw new Error(`withLabelNoise: dataset '${ds.name}' needs int32 labels [n], got ${ds.y.dtype} ${fmt(ds.y.shape)}`);
  const c = ds.numClasses;
  if (c === undefined || !Number.isInteger(c) || c < 2)
    throw new Error(`withLabelNoise: dataset '${ds.name}' needs numClasses ≥ 2 to pick a different class, got ${c}`);
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) throw new Error(`withLabelNoise: fraction must be in [0, 1], got ${fraction}`);
  const n = numExamples(ds);
  const m = Math.round(fraction * n);
  const [kWhich, kShift] = random.split(key, 2) as [Key, Key];
  const changed = (random.permutation(kWhich, n).data as Int32Array).slice(0, m).sort();
  // Adding a shift in [1, c) mod c never gives back the old label and hits each other class equally.
  const shifts = random.randint(kShift, 1, c, [Math.max(m, 1)]).data;
  const y = Int32Array.from(ds.y.data as Int32Array);
  for (let i = 0; i < m; i++) {
    const j = changed[i]!;
    const old = y[j]!;
    if (old < 0 || old >= c) throw new Error(`withLabelNoise: dataset '${ds.name}' label ${old} at index ${j} is outside [0, ${c})`);
    y[j] = (old + shifts[i]!) % c;
  }
  return { dataset: { ...ds, y: new Tensor(y, [n], 'int32'), name: `${ds.name}+noise${fraction}` }, changed };
}

/** A uniformly random subset of n examples chosen by key, kept in dataset order. */
export function subsample(key: Key, ds: Dataset, n: number): Dataset {
  checkDs('subsample', ds);
  const total = numExamples(ds);
  checkInt('subsample', `n (dataset '${ds.name}' has ${total} examples)`, n, 0, total);
  const idx = (random.permutation(key, total).data as Int32Array).slice(0, n).sort();
  return takeBatch(ds, idx);
}

/**
 * Average-pools images by whole factors, e.g. 28×28 → 14×14 (2×2 blocks). x may be flat
 * [n, C·H·W] (C = features/(H·W), usually 1) or [n, …, H, W]; the layout is kept.
 */
export function downsampleImages(ds: Dataset, opts: { from: readonly [number, number]; to: readonly [number, number] }): Dataset {
  checkDs('downsampleImages', ds);
  const where = `downsampleImages(${ds.name})`;
  const [H, W] = opts.from;
  const [h, w] = opts.to;
  for (const v of [H, W, h, w])
    if (!Number.isInteger(v) || v! < 1) throw new Error(`${where}: sizes must be positive integers, got from [${opts.from}] to [${opts.to}]`);
  if (H! % h! !== 0 || W! % w! !== 0) throw new Error(`${where}: from [${H}, ${W}] is not a whole multiple of to [${h}, ${w}]`);
  const x = ds.x;
  if (!isFloat(x.dtype)) throw new Error(`${where}: x must be float, got ${x.dtype}`);
  const n = x.shape[0]!;
  const features = n === 0 ? x.shape.slice(1).reduce((a, b) => a * b, 1) : x.size / n;
  let outShape: number[];
  if (x.rank === 2) {
    if (features % (H! * W!) !== 0)
      throw new Error(`${where}: ${features} features per example are not a whole number of ${H}×${W} images (x ${fmt(x.shape)})`);
    outShape = [n, (features / (H! * W!)) * h! * w!];
  } else {
    if (x.shape[x.rank - 2] !== H || x.shape[x.rank - 1] !== W) throw new Error(`${where}: x ${fmt(x.shape)} does not end in [${H}, ${W}]`);
    outShape = [...x.shape.slice(0, -2), h!, w!];
  }
  const planes = (n * features) / (H! * W!);
  const fy = H! / h!;
  const fx = W! / w!;
  const inv = 1 / (fy * fx);
  const src = x.data;
  const out = allocate(x.dtype, planes * h! * w!);
  for (let p = 0; p < planes; p++) {
    const ib = p * H! * W!;
    const ob = p * h! * w!;
    for (let r = 0; r < h!; r++) {
      for (let c = 0; c < w!; c++) {
        let s = 0;
        for (let dy = 0; dy < fy; dy++) {
          const rowStart = ib + (r * fy + dy) * W! + c * fx;
          for (let dx = 0; dx < fx; dx++) s += src[rowStart + dx]!;
        }
        out[ob + r * w! + c] = s * inv;
      }
    }
  }
  return { ...ds, x: new Tensor(out, outShape, x.dtype), name: `${ds.name}@${h}x${w}` };
}

export interface Pca {
  /** Principal directions as rows [k, d], by decreasing variance; unit norm. */
  components: Tensor;
  /** Feature means [d] that were subtracted. */
  mean: Tensor;
  /** Variance along each component [k] (sample covariance eigenvalues, 1/(n−1)). */
  explainedVariance: Tensor;
  /** explainedVariance / total variance [k]. */
  explainedVarianceRatio: Tensor;
  /** Projects [m, d] data onto the components: (x − mean)·componentsᵀ → [m, k]. */
  transform(x: Tensor): Tensor;
}

/**
 * PCA of the rows of x [n, d] via eigh of the d×d sample covariance (float64). Component signs
 * follow eigh's convention (largest-magnitude entry positive), so they are deterministic.
 */
export function pca(x: Tensor, k: number): Pca {
  if (!(x instanceof Tensor) || x.rank !== 2 || !isFloat(x.dtype))
    throw new Error(`pca: expected a float matrix [n, d], got ${x instanceof Tensor ? `${x.dtype} ${fmt(x.shape)}` : typeof x}`);
  const [n, d] = x.shape as [number, number];
  if (n < 2) throw new Error(`pca: needs at least 2 rows to estimate a covariance, got ${fmt(x.shape)}`);
  checkInt('pca', `k (x has ${d} features)`, k, 1, d);
  const x64 = cast(x, 'float64');
  const meanData = new Float64Array(d);
  const xd = x64.data;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) meanData[j]! += xd[i * d + j]!;
  for (let j = 0; j < d; j++) meanData[j]! /= n;
  const mean = new Tensor(meanData, [d], 'float64');
  const centered = sub(x64, mean);
  const cov = mul(matmul(centered, centered, { transA: true }), 1 / (n - 1));
  const { values, vectors } = linalg.eigh(cov);
  // eigh is ascending with eigenvectors as columns; take the last k columns, largest first.
  const comp = new Float64Array(k * d);
  const ev = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < d; i++) total += Math.max(values.data[i]!, 0);
  for (let r = 0; r < k; r++) {
    const col = d - 1 - r;
    ev[r] = Math.max(values.data[col]!, 0); // round-off can make a zero eigenvalue slightly negative
    for (let j = 0; j < d; j++) comp[r * d + j] = vectors.data[j * d + col]!;
  }
  const components = new Tensor(comp, [k, d], 'float64');
  const explainedVariance = new Tensor(ev, [k], 'float64');
  const explainedVarianceRatio = new Tensor(
    ev.map((v) => (total > 0 ? v / total : 0)),
    [k],
    'float64',
  );
  return {
    components,
    mean,
    explainedVariance,
    explainedVarianceRatio,
    transform(z: Tensor): Tensor {
      if (!(z instanceof Tensor) || z.rank !== 2 || z.shape[1] !== d || !isFloat(z.dtype)) {
        throw new Error(`pca.transform: expected a float matrix [m, ${d}], got ${z instanceof Tensor ? `${z.dtype} ${fmt(z.shape)}` : typeof z}`);
      }
      return matmul(sub(cast(z, 'float64'), mean), components, { transB: true });
    },
  };
}

export interface FeatureStats {
  /** Per-feature mean, shape x.shape.slice(1). */
  mean: Tensor;
  /** Per-feature population standard deviation (1/n), same shape. */
  std: Tensor;
}

/** Per-feature mean and std of a dataset's x (fit on the training set, apply to both). */
export function featureStats(ds: Dataset): FeatureStats {
  checkDs('featureStats', ds);
  const x = ds.x;
  const n = numExamples(ds);
  if (n < 1) throw new Error(`featureStats: dataset '${ds.name}' is empty`);
  const d = x.size / n;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x.data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = x.data[i * d + j]! - mean[j]!;
      m2[j]! += e * e;
    }
  }
  const shape = x.shape.slice(1);
  return {
    mean: new Tensor(mean, shape, 'float64'),
    std: new Tensor(
      m2.map((v) => Math.sqrt(v / n)),
      shape,
      'float64',
    ),
  };
}

/**
 * Features shifted to zero mean and scaled to unit std, using `stats` (default: this dataset's
 * own). Features with zero std (e.g. always-black MNIST corner pixels) are only centered.
 */
export function standardize(ds: Dataset, stats: FeatureStats = featureStats(ds)): Dataset {
  checkDs('standardize', ds);
  const x = ds.x;
  const n = numExamples(ds);
  const d = n === 0 ? stats.mean.size : x.size / n;
  if (stats.mean.size !== d || stats.std.size !== d) {
    throw new Error(`standardize: stats for ${stats.mean.size} features do not fit dataset '${ds.name}' with x ${fmt(x.shape)}`);
  }
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const s = stats.std.data[j]!;
      out[i * d + j] = (x.data[i * d + j]! - stats.mean.data[j]!) / (s > 0 ? s : 1);
    }
  }
  return checkDataset({ ...ds, x: new Tensor(out, x.shape, x.dtype) }, 'standardize');
}
