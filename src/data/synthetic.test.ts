import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor } from '../tensor/tensor.ts';
import { matmul, tanh } from '../tensor/ops.ts';
import { gaussianMixture, linearRegression, teacherStudent, twoSpirals } from './synthetic.ts';

const k = random.key(42);
const k2 = random.key(43);

function counts(y: ArrayLike<number>, c: number): number[] {
  const out = Array(c).fill(0);
  for (let i = 0; i < y.length; i++) out[y[i]!]++;
  return out;
}

test('gaussianMixture: shapes, balanced labels, means at distance `separation`, noise std, determinism', () => {
  const ds = gaussianMixture(k, { n: 3001, dim: 4, classes: 3, separation: 5, std: 0.5 });
  assert.deepEqual(ds.x.shape, [3001, 4]);
  assert.deepEqual(ds.y.shape, [3001]);
  assert.equal(ds.numClasses, 3);
  assert.deepEqual(ds.means.shape, [3, 4]);
  assert.deepEqual(counts(ds.y.data, 3), [1001, 1000, 1000]);
  for (let c = 0; c < 3; c++) {
    const m = Array.from(ds.means.data.subarray(4 * c, 4 * c + 4));
    assert.ok(Math.abs(Math.hypot(...m) - 5) < 1e-12);
  }
  let ss = 0;
  for (let i = 0; i < 3001; i++) for (let j = 0; j < 4; j++) ss += (ds.x.data[4 * i + j]! - ds.means.data[4 * ds.y.data[i]! + j]!) ** 2;
  assert.ok(Math.abs(Math.sqrt(ss / (3001 * 4)) - 0.5) < 0.02);
  const again = gaussianMixture(k, { n: 3001, dim: 4, classes: 3, separation: 5, std: 0.5 });
  assert.deepEqual(again.x.data, ds.x.data);
  assert.deepEqual(again.y.data, ds.y.data);
  assert.notDeepEqual(gaussianMixture(k2, { n: 3001, dim: 4, classes: 3, separation: 5, std: 0.5 }).x.data, ds.x.data);
  assert.throws(() => gaussianMixture(k, { n: 10, dim: 2, classes: 1 }), /gaussianMixture: classes must be an integer ≥ 2, got 1/);
  assert.throws(() => gaussianMixture(k, { n: 10, dim: 2, classes: 2, std: -1 }), /std must be a finite number ≥ 0, got -1/);
  assert.throws(() => gaussianMixture(42 as unknown as random.Key, { n: 10, dim: 2, classes: 2 }), /expected a key/);
});

test('teacherStudent: y = tanh(x·w1)·w2 exactly without noise; noise changes only y', () => {
  const ds = teacherStudent(k, { n: 50, dim: 6, hidden: 8, outputs: 2 });
  assert.deepEqual(ds.x.shape, [50, 6]);
  assert.deepEqual(ds.y.shape, [50, 2]);
  assert.deepEqual(ds.teacher.w1.shape, [6, 8]);
  assert.deepEqual(ds.teacher.w2.shape, [8, 2]);
  assert.equal(ds.numClasses, undefined);
  assert.deepEqual(matmul(tanh(matmul(ds.x, ds.teacher.w1)), ds.teacher.w2).data, ds.y.data);
  const noisy = teacherStudent(k, { n: 50, dim: 6, hidden: 8, outputs: 2, noise: 0.1 });
  assert.deepEqual(noisy.x.data, ds.x.data);
  assert.notDeepEqual(noisy.y.data, ds.y.data);
  assert.deepEqual(teacherStudent(k, { n: 50, dim: 6, hidden: 8, outputs: 2, noise: 0.1 }).y.data, noisy.y.data);
  assert.deepEqual(teacherStudent(k, { n: 5, dim: 3, hidden: 4 }).y.shape, [5, 1]);
  assert.throws(() => teacherStudent(k, { n: 5, dim: 3, hidden: 0 }), /teacherStudent: hidden must be an integer ≥ 1, got 0/);
});

test('twoSpirals: points on the two arcs (radius ≤ 1, point symmetric), balanced, keyed', () => {
  const ds = twoSpirals(k, { n: 400, turns: 2 });
  assert.deepEqual(ds.x.shape, [400, 2]);
  assert.equal(ds.numClasses, 2);
  assert.deepEqual(counts(ds.y.data, 2), [200, 200]);
  for (let i = 0; i < 400; i++) {
    const [a, b] = [ds.x.data[2 * i]!, ds.x.data[2 * i + 1]!];
    const r = Math.hypot(a, b);
    assert.ok(r <= 1 + 1e-12);
    // On class 0's curve: angle = 2π·turns·r (mod 2π); class 1 is the curve rotated by π.
    const s = ds.y.data[i] === 0 ? 1 : -1;
    const theta = 2 * Math.PI * 2 * r;
    assert.ok(Math.hypot(s * a - r * Math.cos(theta), s * b - r * Math.sin(theta)) < 1e-9);
  }
  assert.deepEqual(twoSpirals(k, { n: 400, turns: 2 }).x.data, ds.x.data);
  assert.notDeepEqual(twoSpirals(k, { n: 400, turns: 2, noise: 0.05 }).x.data, ds.x.data);
  assert.throws(() => twoSpirals(k, { n: 10, turns: 0 }), /twoSpirals: turns must be a finite number > 0, got 0/);
});

test('linearRegression: y = x·w*, sample covariance ≈ Q·diag(λ)·Qᵀ, spectrum as array or function', () => {
  const spectrum = [9, 4, 1, 0.25];
  const ds = linearRegression(k, { n: 20000, dim: 4, spectrum });
  assert.deepEqual(ds.x.shape, [20000, 4]);
  assert.deepEqual(ds.y.shape, [20000, 1]);
  assert.deepEqual(ds.weights.shape, [4, 1]);
  assert.deepEqual(Array.from(ds.eigenvalues.data), spectrum);
  assert.deepEqual(matmul(ds.x, ds.weights).data, ds.y.data);
  // Qᵀ·Cov·Q is close to diag(λ) (sampling error ~ λ·√(2/n) ≈ 1%).
  const q = ds.eigenvectors;
  const cov = matmul(ds.x, ds.x, { transA: true }).data.map((v) => v / 20000);
  const proj = matmul(matmul(q, new Tensor(cov, [4, 4]), { transA: true }), q).data;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const want = i === j ? spectrum[i]! : 0;
      assert.ok(Math.abs(proj[4 * i + j]! - want) < 0.05 * spectrum[0]!, `entry ${i},${j}: ${proj[4 * i + j]} vs ${want}`);
    }
  }
  // Q is orthogonal and not the identity by default; rotate: false keeps axes.
  const qtq = matmul(q, q, { transA: true }).data;
  for (let i = 0; i < 16; i++) assert.ok(Math.abs(qtq[i]! - (i % 5 === 0 ? 1 : 0)) < 1e-12);
  const axis = linearRegression(k, { n: 10, dim: 4, spectrum: (i) => 2 ** -i, rotate: false, noise: 0.1 });
  assert.deepEqual(Array.from(axis.eigenvalues.data), [1, 0.5, 0.25, 0.125]);
  assert.deepEqual(Array.from(axis.eigenvectors.data), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.deepEqual(linearRegression(k, { n: 10, dim: 4, spectrum: (i) => 2 ** -i, rotate: false, noise: 0.1 }).y.data, axis.y.data);
  assert.throws(() => linearRegression(k, { n: 10, dim: 3, spectrum: [1, 2] }), /spectrum has 2 eigenvalues but dim is 3/);
  assert.throws(() => linearRegression(k, { n: 10, dim: 2, spectrum: (i) => (i === 1 ? -1 : 1) }), /eigenvalue 1 is -1; eigenvalues must be finite and ≥ 0/);
});
