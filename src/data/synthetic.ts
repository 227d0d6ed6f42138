/**
 * Generated datasets with known structure, for experiments where the ground truth matters (a
 * teacher network, a covariance spectrum, class means). Every generator takes a key first and
 * splits it into one sub-key per random ingredient, so the same key always gives the same data
 * and changing one option does not silently reuse another ingredient's randomness.
 */
import { Tensor, eye } from '../tensor/tensor.ts';
import { add, matmul, mul, tanh } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/random.ts';
import * as linalg from '../linalg/index.ts';
import { checkDataset, type Dataset } from './dataset.ts';

function int(where: string, what: string, v: unknown, lo = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo) throw new Error(`${where}: ${what} must be an integer ≥ ${lo}, got ${JSON.stringify(v)}`);
  return v;
}

function nonneg(where: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${where}: ${what} must be a finite number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

function keys(k: Key, n: number): Key[] {
  if (!random.isKey(k)) throw new Error(`expected a key from random.key/split/foldIn as the first argument, got ${JSON.stringify(k)}`);
  return random.split(k, n) as Key[];
}

/** Balanced labels in random order: label i = perm[i] mod classes (class counts differ by ≤ 1). */
function balancedLabels(k: Key, n: number, classes: number): Int32Array {
  const perm = random.permutation(k, n).data as Int32Array;
  return perm.map((p) => p % classes);
}

export interface GaussianMixtureOptions {
  n: number;
  dim: number;
  classes: number;
  /** Distance of each class mean from the origin (default 3); means point in random directions. */
  separation?: number;
  /** Standard deviation of the isotropic noise around each mean (default 1). */
  std?: number;
}

/**
 * Classification with isotropic Gaussian classes: x = means[y] + std·ε, y balanced across
 * classes in random order. Returns the means [classes, dim] too (e.g. for the Bayes classifier).
 */
export function gaussianMixture(key: Key, opts: GaussianMixtureOptions): Dataset & { means: Tensor } {
  const w = 'gaussianMixture';
  const n = int(w, 'n', opts.n);
  const dim = int(w, 'dim', opts.dim);
  const classes = int(w, 'classes', opts.classes, 2);
  const separation = nonneg(w, 'separation', opts.separation ?? 3);
  const std = nonneg(w, 'std', opts.std ?? 1);
  const [kMeans, kLabels, kNoise] = keys(key, 3) as [Key, Key, Key];
  const raw = random.normal(kMeans, [classes, dim]).data;
  const means = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += raw[c * dim + j]! ** 2;
    const scale = separation / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) means[c * dim + j] = raw[c * dim + j]! * scale;
  }
  const y = balancedLabels(kLabels, n, classes);
  const x = random.normal(kNoise, [n, dim]).data as Float64Array;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = std * x[i * dim + j]! + means[y[i]! * dim + j]!;
  const ds = checkDataset({ x: new Tensor(x, [n, dim]), y: new Tensor(y, [n], 'int32'), numClasses: classes, name: 'gaussian-mixture' }, w);
  return { ...ds, means: new Tensor(means, [classes, dim]) };
}

export interface TeacherStudentOptions {
  n: number;
  dim: number;
  /** Hidden width of the teacher. */
  hidden: number;
  /** Regression outputs (default 1). */
  outputs?: number;
  /** Std of Gaussian noise added to the targets (default 0). */
  noise?: number;
}

/**
 * Regression targets from a random one-hidden-layer tanh teacher without biases:
 * x ~ N(0, I), y = tanh(x·w1)·w2 + noise·ε with w1 ~ N(0, 1/dim), w2 ~ N(0, 1/hidden), so
 * pre-activations and outputs are O(1) at any width. Returns the teacher's weights.
 */
export function teacherStudent(key: Key, opts: TeacherStudentOptions): Dataset & { teacher: { w1: Tensor; w2: Tensor } } {
  const w = 'teacherStudent';
  const n = int(w, 'n', opts.n);
  const dim = int(w, 'dim', opts.dim);
  const hidden = int(w, 'hidden', opts.hidden);
  const outputs = int(w, 'outputs', opts.outputs ?? 1);
  const noise = nonneg(w, 'noise', opts.noise ?? 0);
  const [kx, k1, k2, kn] = keys(key, 4) as [Key, Key, Key, Key];
  const x = random.normal(kx, [n, dim]);
  const w1 = random.normal(k1, [dim, hidden], { std: 1 / Math.sqrt(dim) });
  const w2 = random.normal(k2, [hidden, outputs], { std: 1 / Math.sqrt(hidden) });
  let y = matmul(tanh(matmul(x, w1)), w2);
  if (noise > 0) y = add(y, random.normal(kn, [n, outputs], { std: noise }));
  const ds = checkDataset({ x, y, name: 'teacher-student' }, w);
  return { ...ds, teacher: { w1, w2 } };
}

export interface TwoSpiralsOptions {
  n: number;
  /** Std of Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  /** Turns of each spiral (default 1.5). */
  turns?: number;
}

/**
 * The two-spirals problem in 2-D: class 0 is r(t)·(cos θ, sin θ) with r = t ∈ [0, 1] and
 * θ = 2π·turns·t, class 1 the same curve rotated by π. t = √u with u uniform, so points are
 * spread evenly along the arcs instead of piling up at the centre where the spirals meet.
 * Labels balanced, in random order.
 */
export function twoSpirals(key: Key, opts: TwoSpiralsOptions): Dataset {
  const w = 'twoSpirals';
  const n = int(w, 'n', opts.n);
  const noise = nonneg(w, 'noise', opts.noise ?? 0);
  const turns = opts.turns ?? 1.5;
  if (typeof turns !== 'number' || !(turns > 0) || !Number.isFinite(turns))
    throw new Error(`${w}: turns must be a finite number > 0, got ${JSON.stringify(turns)}`);
  const [kt, kl, kn] = keys(key, 3) as [Key, Key, Key];
  const u = random.uniform(kt, [n]).data;
  const y = balancedLabels(kl, n, 2);
  const eps = random.normal(kn, [n, 2]).data;
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = Math.sqrt(u[i]!);
    const theta = 2 * Math.PI * turns * t;
    const s = y[i] === 0 ? 1 : -1;
    x[2 * i] = s * t * Math.cos(theta) + noise * eps[2 * i]!;
    x[2 * i + 1] = s * t * Math.sin(theta) + noise * eps[2 * i + 1]!;
  }
  return checkDataset({ x: new Tensor(x, [n, 2]), y: new Tensor(y, [n], 'int32'), numClasses: 2, name: 'two-spirals' }, w);
}

export interface LinearRegressionOptions {
  n: number;
  dim: number;
  /** Covariance eigenvalues λ_0..λ_{dim−1} (≥ 0), as an array of length dim or a function of i. */
  spectrum: readonly number[] | ((i: number) => number);
  /** Std of Gaussian noise added to y (default 0). */
  noise?: number;
  /** Rotate the eigenbasis by a random orthogonal matrix (default true); false keeps it axis-aligned. */
  rotate?: boolean;
}

export interface LinearRegressionData extends Dataset {
  /** The true weights w* [dim, 1]: y = x·w* + noise·ε. */
  weights: Tensor;
  /** The population covariance's eigenvalues [dim] (the spectrum as given). */
  eigenvalues: Tensor;
  /** Its eigenvectors as columns [dim, dim] (the identity when rotate is false). */
  eigenvectors: Tensor;
}

/**
 * Linear regression with a chosen feature covariance Σ = Q·diag(λ)·Qᵀ: x = z·diag(√λ)·Qᵀ with
 * z ~ N(0, I), Q Haar-random orthogonal (QR of a Gaussian matrix, positive diag R) or I;
 * w* ~ N(0, I/dim); y = x·w* + noise·ε, shape [n, 1]. This is the noisy-quadratic-model
 * setting: the loss Hessian is Σ, so its spectrum is the one you asked for.
 */
export function linearRegression(key: Key, opts: LinearRegressionOptions): LinearRegressionData {
  const w = 'linearRegression';
  const n = int(w, 'n', opts.n);
  const dim = int(w, 'dim', opts.dim);
  const noise = nonneg(w, 'noise', opts.noise ?? 0);
  const spec = opts.spectrum;
  let lambda: number[];
  if (typeof spec === 'function') lambda = Array.from({ length: dim }, (_, i) => spec(i));
  else if (Array.isArray(spec)) {
    if (spec.length !== dim) throw new Error(`${w}: spectrum has ${spec.length} eigenvalues but dim is ${dim}`);
    lambda = [...spec];
  } else throw new Error(`${w}: spectrum must be an array of ${dim} numbers or a function of the index`);
  lambda.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0)
      throw new Error(`${w}: eigenvalue ${i} is ${JSON.stringify(l)}; eigenvalues must be finite and ≥ 0`);
  });
  const [kz, kq, kw, kn] = keys(key, 4) as [Key, Key, Key, Key];
  const eigenvalues = new Tensor(Float64Array.from(lambda), [dim]);
  const Q = opts.rotate === false ? eye(dim) : linalg.qr(random.normal(kq, [dim, dim])).Q;
  const z = random.normal(kz, [n, dim]);
  const x = matmul(mul(z, new Tensor(Float64Array.from(lambda, Math.sqrt), [dim])), Q, { transB: true });
  const weights = random.normal(kw, [dim, 1], { std: 1 / Math.sqrt(dim) });
  let y = matmul(x, weights);
  if (noise > 0) y = add(y, random.normal(kn, [n, 1], { std: noise }));
  const ds = checkDataset({ x, y, name: 'linear-regression' }, w);
  return { ...ds, weights, eigenvalues, eigenvectors: Q };
}
