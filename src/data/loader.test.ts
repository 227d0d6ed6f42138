import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor, tensor } from '../tensor/tensor.ts';
import * as linalg from '../linalg/index.ts';
import { matmul, mul, sub, mean } from '../tensor/ops.ts';
import type { Dataset } from './dataset.ts';
import {
  batches,
  chunk,
  chunkIndices,
  downsampleImages,
  featureStats,
  pca,
  shuffle,
  split,
  standardize,
  subsample,
  takeBatch,
  withLabelNoise,
} from './loader.ts';

const k = random.key(7);
// Example i has features [i, 10i] and label i mod 4: rows are easy to identify after moving.
function toy(n: number): Dataset {
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) [x[2 * i], x[2 * i + 1]] = [i, 10 * i];
  return {
    x: new Tensor(x, [n, 2]),
    y: new Tensor(
      Int32Array.from({ length: n }, (_, i) => i % 4),
      [n],
      'int32',
    ),
    numClasses: 4,
    name: 'toy',
  };
}
const ids = (ds: Dataset): number[] => Array.from({ length: ds.x.shape[0]! }, (_, i) => ds.x.data[2 * i]!);
const consistent = (ds: Dataset): void =>
  ids(ds).forEach((id, i) => {
    assert.equal(ds.x.data[2 * i + 1], 10 * id);
    assert.equal(ds.y.data[i], id % 4);
  });

test('takeBatch and shuffle: rows move together; same key ⇒ identical order', () => {
  const ds = toy(50);
  const b = takeBatch(ds, [3, 1, 3]);
  assert.deepEqual(ids(b), [3, 1, 3]);
  assert.equal(b.numClasses, 4);
  consistent(b);
  assert.deepEqual(ids(takeBatch(ds, tensor([4, 0], { dtype: 'int32' }))), [4, 0]);
  assert.throws(() => takeBatch(ds, [0, 50]), /takeBatch\(toy\): index 50 at position 1 is outside \[0, 50\)/);
  assert.throws(() => takeBatch(ds, tensor([1, 2])), /indices must be an int32 \[m\] tensor, got float64/);
  const s = shuffle(k, ds);
  consistent(s);
  assert.deepEqual(
    [...ids(s)].sort((a, b) => a - b),
    ids(ds),
  );
  assert.notDeepEqual(ids(s), ids(ds));
  assert.deepEqual(ids(shuffle(k, ds)), ids(s));
  assert.notDeepEqual(ids(shuffle(random.foldIn(k, 1), ds)), ids(s));
});

test('batches: cover an epoch exactly once, keyed or in order, dropLast, clear errors', () => {
  const ds = toy(23);
  const ordered = [...batches(ds, 5)];
  assert.deepEqual(
    ordered.map((b) => b.x.shape[0]),
    [5, 5, 5, 5, 3],
  );
  assert.deepEqual(
    ordered.flatMap((b) => Array.from(b.indices)),
    ids(ds),
  );
  const keyed = [...batches(ds, 5, { key: k })];
  const seen = keyed.flatMap((b) => ids({ ...ds, x: b.x, y: b.y }));
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    ids(ds),
  );
  assert.deepEqual(
    seen,
    keyed.flatMap((b) => Array.from(b.indices)),
  );
  keyed.forEach((b) => consistent({ ...ds, x: b.x, y: b.y }));
  assert.deepEqual(
    [...batches(ds, 5, { key: k })].map((b) => Array.from(b.indices)),
    keyed.map((b) => Array.from(b.indices)),
  );
  const dropped = [...batches(ds, 5, { key: k, dropLast: true })];
  assert.deepEqual(
    dropped.map((b) => b.x.shape[0]),
    [5, 5, 5, 5],
  );
  assert.equal([...batches(ds, 23, { dropLast: true })].length, 1);
  // Errors come at the call, not at the first next().
  assert.throws(() => batches(ds, 24), /batches: batchSize 24 must be an integer in \[1, 23\] \(dataset 'toy' has 23 examples\)/);
  assert.throws(() => batches(ds, 0), /batchSize 0 must be/);
  assert.throws(() => batches(ds, 2.5), /batchSize 2.5 must be/);
});

test('split: fraction or count, order kept, keyed shuffle', () => {
  const ds = toy(10);
  const [a, b] = split(ds, 0.7);
  assert.deepEqual(ids(a), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(ids(b), [7, 8, 9]);
  assert.equal(a.name, 'toy[0:7]');
  const [c, d] = split(ds, 4);
  assert.deepEqual([ids(c).length, ids(d).length], [4, 6]);
  const [e, f] = split(ds, 0.5, { key: k });
  assert.deepEqual(
    [...ids(e), ...ids(f)].sort((p, q) => p - q),
    ids(ds),
  );
  assert.deepEqual(ids(split(ds, 0.5, { key: k })[0]), ids(e));
  assert.equal(split(ds, 0)[0].x.shape[0], 0);
  assert.throws(() => split(ds, 11), /split: size .*dataset 'toy' of 10.* must be an integer in \[0, 10\], got 11/);
  assert.throws(() => split(ds, 1.5), /got 1.5/);
});

test('chunk: J disjoint parts covering every index once, sizes within 1', () => {
  for (const key of [undefined, k]) {
    const parts = chunkIndices(103, 7, key);
    assert.equal(parts.length, 7);
    const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 103 }, (_, i) => i),
    );
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
  assert.deepEqual(Array.from(chunkIndices(5, 2)[0]!), [0, 1, 2]);
  const ds = toy(20);
  const cs = chunk(ds, 3, k);
  assert.deepEqual(
    cs.map((c) => c.x.shape[0]),
    [7, 7, 6],
  );
  cs.forEach(consistent);
  assert.deepEqual(
    cs.flatMap(ids).sort((a, b) => a - b),
    ids(ds),
  );
  assert.deepEqual(chunk(ds, 3, k).map(ids), cs.map(ids));
  assert.throws(() => chunk(ds, 21), /chunk: number of parts \(for 20 examples\) must be an integer in \[1, 20\], got 21/);
});

test('withLabelNoise: exactly round(fraction·n) labels change, each to a different class; keyed', () => {
  const ds = toy(1000);
  const { dataset, changed } = withLabelNoise(k, ds, 0.3);
  assert.equal(changed.length, 300);
  const set = new Set(changed);
  let diff = 0;
  const hits = Array(4).fill(0);
  for (let i = 0; i < 1000; i++) {
    const before = ds.y.data[i]!;
    const after = dataset.y.data[i]!;
    if (set.has(i)) {
      assert.notEqual(after, before);
      hits[(after - before + 4) % 4]++;
    }
    if (after !== before) diff++;
  }
  assert.equal(diff, 300);
  assert.equal(hits[0], 0);
  for (const h of hits.slice(1)) assert.ok(h > 70, `shifts ${hits}`); // ≈ 100 each
  assert.deepEqual(dataset.x.data, ds.x.data);
  assert.deepEqual(withLabelNoise(k, ds, 0.3).dataset.y.data, dataset.y.data);
  assert.equal(withLabelNoise(k, ds, 0).changed.length, 0);
  assert.equal(withLabelNoise(k, ds, 1).changed.length, 1000);
  assert.throws(() => withLabelNoise(k, ds, 1.2), /withLabelNoise: fraction must be in \[0, 1\], got 1.2/);
  assert.throws(() => withLabelNoise(k, { ...ds, y: tensor([[1], [2]]), name: 'reg' }, 0.1), /withLabelNoise: dataset 'reg'/);
});

test('subsample: n distinct examples in dataset order, keyed', () => {
  const ds = toy(100);
  const s = subsample(k, ds, 30);
  const got = ids(s);
  assert.equal(new Set(got).size, 30);
  assert.deepEqual(
    got,
    [...got].sort((a, b) => a - b),
  );
  consistent(s);
  assert.deepEqual(ids(subsample(k, ds, 30)), got);
  assert.throws(() => subsample(k, ds, 101), /subsample: n \(dataset 'toy' has 100 examples\) must be an integer in \[0, 100\], got 101/);
});

test('downsampleImages: 2×2 average pooling on flat and image layouts', () => {
  // One 4×4 image with value r·4 + c.
  const img = Float64Array.from({ length: 16 }, (_, i) => i);
  const ds: Dataset = { x: new Tensor(img, [1, 16]), y: tensor([0], { dtype: 'int32' }), numClasses: 1, name: 'img' };
  const out = downsampleImages(ds, { from: [4, 4], to: [2, 2] });
  assert.deepEqual(out.x.shape, [1, 4]);
  assert.deepEqual(Array.from(out.x.data), [2.5, 4.5, 10.5, 12.5]);
  assert.equal(out.name, 'img@2x2');
  const nchw = downsampleImages({ ...ds, x: new Tensor(img, [1, 1, 4, 4]) }, { from: [4, 4], to: [1, 2] });
  assert.deepEqual(nchw.x.shape, [1, 1, 1, 2]);
  assert.deepEqual(Array.from(nchw.x.data), [6.5, 8.5]);
  assert.throws(() => downsampleImages(ds, { from: [4, 4], to: [3, 3] }), /from \[4, 4\] is not a whole multiple of to \[3, 3\]/);
  assert.throws(() => downsampleImages(ds, { from: [3, 3], to: [1, 1] }), /16 features per example are not a whole number of 3×3 images/);
});

test('pca: recovers a known covariance spectrum and its eigenvectors exactly', () => {
  const n = 200;
  const d = 5;
  const spectrum = [16, 9, 4, 1, 0.25];
  const [kz, kq] = random.split(random.key(3), 2) as [random.Key, random.Key];
  // Zero-mean orthonormal columns Z (centre a Gaussian matrix, then QR) give an exact sample
  // covariance: X = Z·diag(√((n−1)λ))·Qᵀ + m has Cov = Q·diag(λ)·Qᵀ.
  const g = random.normal(kz, [n, d]);
  const Z = linalg.qr(sub(g, mean(g, 0))).Q;
  const Q = linalg.qr(random.normal(kq, [d, d])).Q;
  const shift = tensor([1, -2, 3, 0, 5]);
  const x = matmul(mul(Z, tensor(spectrum.map((l) => Math.sqrt((n - 1) * l)))), Q, { transB: true });
  const xs = new Tensor(
    x.data.map((v, i) => v + shift.data[i % d]!),
    [n, d],
  );
  const p = pca(xs, 3);
  assert.deepEqual(p.components.shape, [3, d]);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(p.explainedVariance.data[i]! - spectrum[i]!) < 1e-9, `λ${i} ${p.explainedVariance.data[i]}`);
  for (let j = 0; j < d; j++) assert.ok(Math.abs(p.mean.data[j]! - shift.data[j]!) < 1e-12);
  const total = spectrum.reduce((a, b) => a + b);
  assert.ok(Math.abs(p.explainedVarianceRatio.data[0]! - 16 / total) < 1e-12);
  for (let i = 0; i < 3; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += p.components.data[i * d + j]! * Q.data[j * d + i]!;
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-9, `component ${i} · q${i} = ${dot}`);
  }
  // Projections have the component variances and are uncorrelated.
  const proj = p.transform(xs);
  assert.deepEqual(proj.shape, [n, 3]);
  const c = matmul(proj, proj, { transA: true }).data.map((v) => v / (n - 1));
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(c[3 * i + j]! - (i === j ? spectrum[i]! : 0)) < 1e-9);
  assert.throws(() => pca(xs, 6), /pca: k \(x has 5 features\) must be an integer in \[1, 5\], got 6/);
  assert.throws(() => p.transform(tensor([[1, 2]])), /pca.transform: expected a float matrix \[m, 5\], got float64 \[1, 2\]/);
  assert.throws(() => pca(tensor([[1, 2]]), 1), /at least 2 rows/);
});

test('standardize: zero mean and unit std with own or given stats; constant features only centred', () => {
  const x = new Tensor(Float64Array.from([1, 5, 3, 5, 5, 5, 7, 5]), [4, 2]);
  const ds: Dataset = { x, y: tensor([0, 1, 2, 3]), name: 'feat' };
  const stats = featureStats(ds);
  assert.deepEqual(Array.from(stats.mean.data), [4, 5]);
  assert.deepEqual(Array.from(stats.std.data), [Math.sqrt(5), 0]);
  const s = standardize(ds);
  assert.deepEqual(
    Array.from(s.x.data).filter((_, i) => i % 2 === 1),
    [0, 0, 0, 0],
  );
  const col = Array.from(s.x.data).filter((_, i) => i % 2 === 0);
  assert.ok(Math.abs(col.reduce((a, b) => a + b)) < 1e-12);
  assert.ok(Math.abs(col.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-12);
  const other = standardize({ ...ds, x: new Tensor(Float64Array.from([4, 6]), [1, 2]), y: tensor([0]) }, stats);
  assert.deepEqual(Array.from(other.x.data), [0, 1]);
  assert.throws(
    () => standardize({ ...ds, x: new Tensor(new Float64Array(3), [1, 3]), y: tensor([0]) }, stats),
    /stats for 2 features do not fit dataset 'feat' with x \[1, 3\]/,
  );
});
