/**
 * The one shape every data source returns: a feature tensor and a target tensor with the same
 * leading length. Loaders, generators and transforms all hand back a `Dataset` and check it with
 * `checkDataset`, so a bad label or a NaN feature fails where the data is made, not ten layers
 * down inside a loss.
 */
import { isFloat } from '../tensor/dtype.ts';
import { fmt } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';

export interface Dataset {
  /** Features, float [n, ...features] (float64 unless a loader was asked for float32). */
  readonly x: Tensor;
  /** Targets: int32 [n] class labels, or float [n] / [n, k] regression targets. */
  readonly y: Tensor;
  /** Number of classes; required when `y` holds int32 labels, which must lie in [0, numClasses). */
  readonly numClasses?: number;
  /** Shown in errors and reports: 'mnist-train', 'iris', 'gaussian-mixture', … */
  readonly name: string;
}

/** Number of examples (the leading axis of x and y). */
export function numExamples(ds: Dataset): number {
  return ds.x.shape[0]!;
}

/** True when y holds int32 class labels. */
export function isClassification(ds: Dataset): boolean {
  return ds.y.dtype === 'int32';
}

/**
 * Validates a dataset and returns it unchanged. Checks: x is a float tensor of rank ≥ 2; y has
 * the same leading length; int32 labels come with numClasses and lie in [0, numClasses);
 * every feature (and every float target) is finite. Errors name the dataset, the index and the
 * offending value.
 */
export function checkDataset(ds: Dataset, where = 'checkDataset'): Dataset {
  if (ds === null || typeof ds !== 'object') throw new Error(`${where}: expected a dataset { x, y, name }, got ${String(ds)}`);
  const name = typeof ds.name === 'string' && ds.name !== '' ? ds.name : '(unnamed)';
  const fail = (msg: string): never => {
    throw new Error(`${where}: dataset '${name}': ${msg}`);
  };
  if (typeof ds.name !== 'string' || ds.name === '') fail('name must be a non-empty string');
  const { x, y } = ds;
  if (!(x instanceof Tensor)) fail(`x must be a Tensor, got ${typeof x}`);
  if (!(y instanceof Tensor)) fail(`y must be a Tensor, got ${typeof y}`);
  if (!isFloat(x.dtype)) fail(`x must be float64 or float32, got ${x.dtype} ${fmt(x.shape)}`);
  if (x.rank < 2) fail(`x must be [n, ...features] (rank ≥ 2), got ${fmt(x.shape)}`);
  const n = x.shape[0]!;
  if (y.rank < 1 || y.shape[0] !== n) fail(`x has ${n} examples ${fmt(x.shape)} but y has shape ${fmt(y.shape)}`);

  if (y.dtype === 'int32') {
    if (y.rank !== 1) fail(`int32 labels must be [n], got ${fmt(y.shape)}`);
    const c = ds.numClasses;
    if (c === undefined) fail('int32 labels need numClasses');
    if (!Number.isInteger(c) || c! < 1) fail(`numClasses must be a positive integer, got ${c}`);
    const labels = y.data;
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i]!;
      if (v < 0 || v >= c!) fail(`label ${v} at index ${i} is outside [0, ${c})`);
    }
  } else if (isFloat(y.dtype)) {
    if (y.rank > 2) fail(`regression targets must be [n] or [n, k], got ${fmt(y.shape)}`);
    if (ds.numClasses !== undefined) fail(`numClasses (${ds.numClasses}) is set but y is ${y.dtype}, not int32 labels`);
    const k = y.rank === 2 ? y.shape[1]! : 1;
    const t = y.data;
    for (let i = 0; i < t.length; i++) {
      if (!Number.isFinite(t[i])) fail(`target ${t[i]} at index ${Math.floor(i / k)}${k > 1 ? `, output ${i % k}` : ''} is not finite`);
    }
  } else {
    fail(`y must be int32 labels or float targets, got ${y.dtype}`);
  }

  // Features last: the biggest loop, and by now the shapes are known to be sane.
  const d = x.size / Math.max(n, 1);
  const f = x.data;
  for (let i = 0; i < f.length; i++) {
    if (!Number.isFinite(f[i])) fail(`feature ${Math.floor(i % d)} of example ${Math.floor(i / d)} is ${f[i]} (not finite)`);
  }
  return ds;
}
