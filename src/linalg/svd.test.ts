/** linalg.svd against ml-matrix's SVD (an independent Golub–Kahan implementation). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, SVD } from 'ml-matrix';
import { Tensor, tensor, linalg, matmul, mul, random, reshape, grad, sum, zeros } from '../index.ts';
import { canonicalSvdSigns } from '../kernels/kernels.ts';
import { availableBackends, backend, kernels, setBackend } from '../kernels/backend.ts';

/** The js reference kernel, whichever backend linalg.svd runs on. */
const svdJs = (a: Float64Array, m: number, n: number): ReturnType<typeof canonicalSvdSigns> => backend('js').svd(a, m, n);

const TOL = 1e-12;

function reference(a: Tensor): { u: Float64Array; s: Float64Array; v: Float64Array } {
  const [m, n] = a.shape as [number, number];
  const k = Math.min(m, n);
  const rows = Array.from({ length: m }, (_, i) => Array.from(a.data.subarray(i * n, (i + 1) * n)));
  const ref = new SVD(new Matrix(rows), { autoTranspose: true });
  const pick = (x: Matrix, r: number): Float64Array => Float64Array.from({ length: r * k }, (_, i) => x.get(Math.floor(i / k), i % k));
  return canonicalSvdSigns({ u: pick(ref.leftSingularVectors, m), s: Float64Array.from(ref.diagonal.slice(0, k)), v: pick(ref.rightSingularVectors, n) }, m, n);
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  assert.equal(x.length, y.length);
  let e = 0;
  for (let i = 0; i < x.length; i++) e = Math.max(e, Math.abs(x[i]! - y[i]!));
  return e;
}

/** Checks shapes, order, orthonormality, reconstruction and the sign convention; returns the parts. */
function checkFactorization(a: Tensor): { U: Tensor; S: Tensor; V: Tensor } {
  const [m, n] = a.shape as [number, number];
  const k = Math.min(m, n);
  const { U, S, V } = linalg.svd(a);
  assert.deepEqual([U.shape, S.shape, V.shape], [[m, k], [k], [n, k]]);
  const s = S.data;
  for (let i = 1; i < k; i++) assert.ok(s[i - 1]! >= s[i]!, 'descending');
  const scale = Math.max(s[0] ?? 0, 1e-300);
  const eye = (p: number): Float64Array => Float64Array.from({ length: p * p }, (_, i) => (i % (p + 1) === 0 ? 1 : 0));
  assert.ok(maxAbsDiff(matmul(U, U, { transA: true }).data, eye(k)) < TOL, 'UᵀU = I');
  assert.ok(maxAbsDiff(matmul(V, V, { transA: true }).data, eye(k)) < TOL, 'VᵀV = I');
  const rebuilt = matmul(mul(U, reshape(S, [1, k])), V, { transB: true });
  assert.ok(maxAbsDiff(rebuilt.data, a.data) <= TOL * scale, 'U·diag(S)·Vᵀ = A');
  for (let j = 0; j < k; j++) {
    let pivot = 0;
    for (let i = 1; i < m; i++) if (Math.abs(U.data[i * k + j]!) > Math.abs(U.data[pivot * k + j]!)) pivot = i;
    assert.ok(U.data[pivot * k + j]! > 0, `column ${j} of U: largest component positive`);
  }
  return { U, S, V };
}

/** Q₁·diag(σ)·Q₂ᵀ with σ log-spaced from 1 to 1/cond. */
function conditioned(m: number, n: number, cond: number, seed: number): Tensor {
  const [k1, k2] = random.split(random.key(seed));
  const k = Math.min(m, n);
  const q1 = linalg.qr(random.normal(k1!, [m, k])).Q;
  const q2 = linalg.qr(random.normal(k2!, [n, k])).Q;
  const sigma = Float64Array.from({ length: k }, (_, i) => cond ** (-i / (k - 1)));
  return matmul(mul(q1, tensor(sigma, { shape: [1, k] })), q2, { transB: true });
}

for (const [m, n] of [
  [6, 6],
  [40, 7],
  [7, 40],
  [1, 5],
  [5, 1],
] as const) {
  test(`svd ${m}×${n} (random) matches ml-matrix: values and sign-fixed vectors`, () => {
    const a = random.normal(random.key(m * 100 + n), [m, n]);
    const { U, S, V } = checkFactorization(a);
    const ref = reference(a);
    const scale = ref.s[0]!;
    assert.ok(maxAbsDiff(S.data, ref.s) <= TOL * scale, 'singular values');
    assert.ok(maxAbsDiff(U.data, ref.u) <= TOL, `U: ${maxAbsDiff(U.data, ref.u)}`);
    assert.ok(maxAbsDiff(V.data, ref.v) <= TOL, `V: ${maxAbsDiff(V.data, ref.v)}`);
  });
}

test('svd of ill-conditioned matrices (cond 1e10), both orientations, matches ml-matrix', () => {
  for (const [m, n] of [
    [30, 12],
    [12, 30],
  ] as const) {
    const a = conditioned(m, n, 1e10, 5);
    const { U, S, V } = checkFactorization(a);
    const ref = reference(a);
    assert.ok(maxAbsDiff(S.data, ref.s) <= TOL, `${m}×${n} singular values`);
    assert.ok(S.data[11]! > 0.5e-10 && S.data[11]! < 2e-10, `${m}×${n} smallest ≈ 1e-10: ${S.data[11]}`);
    // Vectors are determined to ≈ ε·‖A‖/gap: compare those of the well-separated leading values.
    const lead = 4;
    const k = 12;
    for (let j = 0; j < lead; j++) {
      for (let i = 0; i < m; i++) assert.ok(Math.abs(U.data[i * k + j]! - ref.u[i * k + j]!) < TOL, `U[${i}, ${j}]`);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(V.data[i * k + j]! - ref.v[i * k + j]!) < TOL, `V[${i}, ${j}]`);
    }
  }
});

test('svd of rank-deficient and zero matrices: orthonormal U, V and zero singular values', () => {
  const x = random.normal(random.key(3), [8, 2]);
  const rank2 = matmul(x, random.normal(random.key(4), [2, 5]));
  const { S } = checkFactorization(rank2);
  assert.ok(S.data[2]! < 1e-13 * S.data[0]!, 'third singular value is zero');
  const z = checkFactorization(zeros([4, 3]));
  assert.deepEqual(Array.from(z.S.data), [0, 0, 0]);
  // The js reference completes exactly-zero columns of U to an orthonormal set.
  const r = svdJs(new Float64Array(12), 4, 3);
  assert.deepEqual(Array.from(r.s), [0, 0, 0]);
  const u = tensor(r.u, { shape: [4, 3] });
  assert.ok(maxAbsDiff(matmul(u, u, { transA: true }).data, [1, 0, 0, 0, 1, 0, 0, 0, 1]) < TOL);
});

test('svd: float32 in, float32 out; clear errors', () => {
  const a = tensor(
    [
      [3, 0],
      [0, -2],
      [0, 0],
    ],
    { dtype: 'float32' },
  );
  const { U, S, V } = linalg.svd(a);
  assert.equal(U.dtype, 'float32');
  assert.deepEqual(Array.from(S.data), [3, 2]);
  assert.deepEqual(Array.from(V.data).map(Math.abs), [1, 0, 0, 1]);
  assert.throws(() => linalg.svd(tensor([1, 2, 3])), /svd: expected a matrix \(rank 2\), got \[3\]/);
  assert.throws(() => svdJs(new Float64Array([1, NaN]), 1, 2), /svd: a contains a non-finite value \(NaN\) at index 1/);
  assert.throws(() => svdJs(new Float64Array(3), 2, 2), /svd: a has length 3, expected 4/);
});

test('grad of the nuclear norm Σs is U·Vᵀ (and stays finite for a rank-deficient A)', () => {
  const a = random.normal(random.key(9), [5, 3]);
  const { U, V } = linalg.svd(a);
  const g = grad((x: Tensor) => sum(linalg.svd(x).S))(a);
  assert.ok(maxAbsDiff(g.data, matmul(U, V, { transB: true }).data) < 1e-12);
  const low = matmul(random.normal(random.key(10), [5, 1]), random.normal(random.key(11), [1, 3]));
  const gl = grad((x: Tensor) => sum(linalg.svd(x).S))(low);
  assert.ok(Array.from(gl.data).every(Number.isFinite));
});

test('linalg.svd gives the same U, S, V (same signs) on every backend, both orientations', () => {
  const before = kernels().name;
  try {
    for (const [m, n] of [
      [9, 4],
      [4, 9],
    ] as const) {
      const a = random.normal(random.key(m * 10 + n), [m, n]);
      setBackend('js');
      const want = linalg.svd(a);
      for (const name of availableBackends()) {
        setBackend(name);
        const got = linalg.svd(a);
        // A flipped column would differ by about 2·|entry|, far above this.
        for (const key of ['U', 'S', 'V'] as const) assert.ok(maxAbsDiff(got[key].data, want[key].data) < 1e-12, `${name} ${m}×${n} ${key}`);
      }
    }
  } finally {
    setBackend(before);
  }
});
