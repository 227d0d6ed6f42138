import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { cholesky, eighSymmetric, qrHouseholder, solveTriangular } from './dense.ts';

/** Deterministic standard normals: 32-bit LCG (Numerical Recipes constants) + Box–Muller. */
function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32; // in (0, 1), so log() below is finite
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function randn(rows: number, cols: number, seed: number): Float64Array {
  const next = makeRng(seed);
  return Float64Array.from({ length: rows * cols }, next);
}

/** C = op(A)·B for row-major A (m×k, or k×m if transA) and B (k×n). */
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i]! : a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!;
    }
  }
  return c;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

const toMatrix = (a: Float64Array, rows: number, cols: number): Matrix =>
  new Matrix(Array.from({ length: rows }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols))));

const frob = (a: Float64Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const diffNorm = (a: Float64Array, b: Float64Array): number => frob(a.map((v, i) => v - b[i]!));
const eye = (n: number): Float64Array => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

/** Random symmetric matrix (G + Gᵀ)/2. */
function randSym(n: number, seed: number): Float64Array {
  const g = randn(n, n, seed);
  return g.map((_, idx) => 0.5 * (g[idx]! + g[(idx % n) * n + Math.floor(idx / n)]!));
}

/** Random orthogonal n×n matrix (Q factor of a Gaussian matrix). */
const randOrthogonal = (n: number, seed: number): Float64Array => qrHouseholder(randn(n, n, seed), n, n).q;

/** Q diag(λ) Qᵀ. */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const q = randOrthogonal(n, seed);
  const qd = q.map((v, idx) => v * values[idx % n]!);
  return matmul(qd, transpose(q, n, n), n, n, n);
}

function checkQr(a: Float64Array, m: number, n: number): void {
  const { q, r } = qrHouseholder(a, m, n);
  assert.equal(q.length, m * n);
  assert.equal(r.length, n * n);
  const scale = Math.max(frob(a), Number.MIN_VALUE);
  assert.ok(diffNorm(matmul(q, r, m, n, n), a) <= 1e-12 * scale, `QR reconstruction ${m}×${n}`);
  assert.ok(diffNorm(matmul(q, q, n, m, n, true), eye(n)) <= 1e-13, `QᵀQ = I ${m}×${n}`);
  for (let i = 0; i < n; i++) {
    assert.ok(r[i * n + i]! >= 0, `diag(R)[${i}] ≥ 0`);
    for (let j = 0; j < i; j++) assert.equal(r[i * n + j], 0, 'R upper triangular');
  }
}

function checkEigh(a: Float64Array, n: number, label: string): { values: Float64Array; vectors: Float64Array } {
  const { values, vectors } = eighSymmetric(a, n);
  const scale = Math.max(frob(a), 1);
  for (let j = 1; j < n; j++) assert.ok(values[j - 1]! <= values[j]!, `${label}: eigenvalues ascending`);
  assert.ok(diffNorm(matmul(vectors, vectors, n, n, n, true), eye(n)) <= 1e-12, `${label}: VᵀV = I`);
  const av = matmul(a, vectors, n, n, n);
  for (let j = 0; j < n; j++) {
    let res = 0;
    let pivot = 0;
    for (let i = 0; i < n; i++) {
      res += (av[i * n + j]! - values[j]! * vectors[i * n + j]!) ** 2;
      if (Math.abs(vectors[i * n + j]!) > Math.abs(vectors[pivot * n + j]!)) pivot = i;
    }
    assert.ok(Math.sqrt(res) <= 1e-10 * scale, `${label}: residual of pair ${j} is ${Math.sqrt(res)}`);
    assert.ok(vectors[pivot * n + j]! > 0, `${label}: largest component of vector ${j} is positive`);
  }
  return { values, vectors };
}

test('qrHouseholder: tall, square, single-column and 1024×64 matrices', () => {
  for (const [m, n, seed] of [
    [1, 1, 1],
    [5, 3, 2],
    [17, 17, 3],
    [64, 64, 4],
    [100, 7, 5],
    [1024, 64, 6],
    [9, 1, 7],
  ] as const) {
    checkQr(randn(m, n, seed), m, n);
  }
});

test('qrHouseholder: full-rank R has a positive diagonal and matches ml-matrix up to signs', () => {
  const [m, n] = [12, 5];
  const a = randn(m, n, 11);
  const { r } = qrHouseholder(a, m, n);
  const am = toMatrix(a, m, n);
  const ref = am.transpose().mmul(am);
  // RᵀR = AᵀA pins R down uniquely once diag(R) > 0.
  const rtr = matmul(r, r, n, n, n, true);
  for (let i = 0; i < n; i++) {
    assert.ok(r[i * n + i]! > 0);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(rtr[i * n + j]! - ref.get(i, j)) <= 1e-12 * ref.norm());
  }
});

test('qrHouseholder: rank-deficient and zero matrices still reconstruct with diag(R) ≥ 0', () => {
  // Columns 2 and 4 are combinations of columns 0, 1, 3: rank 3.
  const [m, n] = [8, 5];
  const base = randn(m, n, 21);
  const a = base.map((v, idx) => {
    const i = Math.floor(idx / n);
    const j = idx % n;
    if (j === 2) return 2 * base[i * n]! - base[i * n + 1]!;
    if (j === 4) return base[i * n + 3]!;
    return v;
  });
  checkQr(a, m, n);
  checkQr(new Float64Array(m * n), m, n);
  // A zero column in the middle.
  checkQr(
    randn(6, 4, 22).map((v, idx) => (idx % 4 === 1 ? 0 : v)),
    6,
    4,
  );
});

test('qrHouseholder: extreme scales do not overflow or underflow', () => {
  for (const s of [1e-300, 1e300])
    checkQr(
      randn(10, 4, 31).map((v) => v * s),
      10,
      4,
    );
});

test('eighSymmetric: eigenpairs of random symmetric matrices, eigenvalues agree with ml-matrix', () => {
  for (const n of [2, 3, 5, 17, 64, 256]) {
    const a = randSym(n, 100 + n);
    const { values } = checkEigh(a, n, `n=${n}`);
    const ref = new EigenvalueDecomposition(toMatrix(a, n, n), { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
    const scale = frob(a);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(values[j]! - ref[j]!) <= 1e-10 * scale, `n=${n}: eigenvalue ${j}`);
  }
});

test('eighSymmetric: clustered and repeated eigenvalues', () => {
  const spectrum = [1, 1 + 1e-9, 1 + 2e-9, 1 + 3e-9, 2, 3, 5, 5, 5, -4, -4, 0, 0, 1e-12];
  const n = spectrum.length;
  const { values } = checkEigh(withSpectrum(spectrum, 41), n, 'clustered');
  const sorted = [...spectrum].sort((x, y) => x - y);
  // Eigenvalues of a symmetric matrix are perfectly conditioned: errors ~ ε‖A‖ even inside a cluster.
  for (let j = 0; j < n; j++) assert.ok(Math.abs(values[j]! - sorted[j]!) <= 1e-12, `clustered eigenvalue ${j}`);

  const big = Array.from({ length: 128 }, (_, i) => (i < 64 ? 1 + i * 1e-10 : 7));
  checkEigh(withSpectrum(big, 42), big.length, 'clustered n=128');
});

test('eighSymmetric: diagonal, zero, identity, n = 1 and tridiagonal matrices', () => {
  const diag = new Float64Array(16);
  [3, -1, 2, -1].forEach((v, i) => (diag[i * 4 + i] = v));
  const { values, vectors } = checkEigh(diag, 4, 'diagonal');
  assert.deepEqual(Array.from(values), [-1, -1, 2, 3]);
  // Eigenvectors of a diagonal matrix are (signed) unit vectors, made positive by the convention.
  assert.deepEqual(
    Array.from(vectors).filter((v) => v !== 0),
    [1, 1, 1, 1],
  );

  const zero = checkEigh(new Float64Array(25), 5, 'zero');
  assert.deepEqual(Array.from(zero.values), [0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(zero.vectors), Array.from(eye(5)));
  checkEigh(eye(6), 6, 'identity');

  const one = eighSymmetric(Float64Array.of(-2.5), 1);
  assert.deepEqual([one.values[0], one.vectors[0]], [-2.5, 1]);

  const n = 50; // 1D Laplacian: λ_k = 2 − 2cos(kπ/(n+1)).
  const lap = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    lap[i * n + i] = 2;
    if (i > 0) lap[i * n + i - 1] = lap[(i - 1) * n + i] = -1;
  }
  const lv = checkEigh(lap, n, 'laplacian').values;
  for (let k = 1; k <= n; k++) assert.ok(Math.abs(lv[k - 1]! - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))) <= 1e-13);
});

test('eighSymmetric: extreme scales neither overflow nor underflow', () => {
  const n = 12;
  const a = randSym(n, 55);
  const ref = eighSymmetric(a, n);
  for (const scale of [1e-300, 1e300]) {
    const { values, vectors } = eighSymmetric(
      a.map((v) => v * scale),
      n,
    );
    for (let j = 0; j < n; j++) assert.ok(Math.abs(values[j]! / scale - ref.values[j]!) <= 1e-13 * frob(a), `scale ${scale}: eigenvalue ${j}`);
    assert.ok(diffNorm(vectors, ref.vectors) <= 1e-12, `scale ${scale}: eigenvectors`);
  }
  // Subnormal entries (few significant bits): only finite, unit-norm output is meaningful.
  const tiny = eighSymmetric(
    a.map((v) => v * 1e-320),
    n,
  );
  assert.ok(tiny.values.every(Number.isFinite) && Math.abs(frob(tiny.vectors) - Math.sqrt(n)) <= 1e-12);
});

test('eighSymmetric: reads only the lower triangle', () => {
  const n = 9;
  const a = randSym(n, 51);
  const garbage = a.map((v, idx) => (idx % n > Math.floor(idx / n) ? 1e6 * v + 3 : v));
  const x = eighSymmetric(a, n);
  const y = eighSymmetric(garbage, n);
  assert.deepEqual(Array.from(y.values), Array.from(x.values));
  assert.deepEqual(Array.from(y.vectors), Array.from(x.vectors));
});

test('cholesky: reconstructs SPD matrices, reads only the lower triangle, rejects indefinite ones', () => {
  for (const n of [1, 4, 33]) {
    const g = randn(n, n, 60 + n);
    const a = matmul(g, g, n, n, n, true).map((v, idx) => v + (idx % (n + 1) === 0 ? 0.1 : 0));
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) {
      assert.ok(l[i * n + i]! > 0);
      for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
    }
    assert.ok(diffNorm(matmul(l, transpose(l, n, n), n, n, n), a) <= 1e-13 * frob(a), `LLᵀ = A, n=${n}`);
    const upperGarbage = a.map((v, idx) => (idx % n > Math.floor(idx / n) ? -99 : v));
    assert.deepEqual(Array.from(cholesky(upperGarbage, n)), Array.from(l));
  }
  const indefinite = withSpectrum([3, 2, -1, 4], 70);
  assert.throws(() => cholesky(indefinite, 4), /cholesky: matrix is not positive definite \(pivot \d/);
  assert.throws(() => cholesky(Float64Array.of(1, 0, 0, 0), 2), /not positive definite \(pivot 1 /);
});

test('solveTriangular: all lower/upper × transpose combinations, unit diagonal', () => {
  const [n, nrhs] = [23, 4];
  const g = randn(n, n, 80);
  // Well-conditioned triangular factors: dominant diagonal.
  const lowerT = g.map((v, idx) => (idx % n < Math.floor(idx / n) ? v : idx % (n + 1) === 0 ? 5 + Math.abs(v) : 0));
  const upperT = transpose(lowerT, n, n);
  const b = randn(n, nrhs, 81);
  for (const lower of [true, false]) {
    for (const trans of [false, true]) {
      for (const unitDiagonal of [false, true]) {
        const t = lower ? lowerT : upperT;
        // op(T) as a dense matrix, with the diagonal replaced by ones when unitDiagonal.
        const opT = (trans ? transpose(t, n, n) : t).map((v, idx) => (unitDiagonal && idx % (n + 1) === 0 ? 1 : v));
        // Garbage outside the triangle (and on the diagonal when unit) must be ignored.
        const noisy = t.map((v, idx) => {
          const [i, j] = [Math.floor(idx / n), idx % n];
          if (i === j) return unitDiagonal ? 42 : v;
          return (lower ? j > i : j < i) ? 1e9 : v;
        });
        const x = solveTriangular(noisy, b, n, nrhs, { lower, transpose: trans, unitDiagonal });
        const res = diffNorm(matmul(opT, x, n, n, nrhs), b);
        assert.ok(res <= 1e-13 * frob(b), `lower=${lower} transpose=${trans} unit=${unitDiagonal}: residual ${res}`);
      }
    }
  }
  const single = solveTriangular(Float64Array.of(2, 0, 1, 4), Float64Array.of(2, 9), 2, 1, { lower: true, transpose: false });
  assert.deepEqual(Array.from(single), [1, 2]);
  assert.throws(
    () => solveTriangular(Float64Array.of(1, 0, 3, 0), Float64Array.of(1, 1), 2, 1, { lower: true, transpose: true }),
    /solveTriangular: matrix is singular \(zero diagonal at 1/,
  );
});

test('bad inputs: wrong lengths, non-finite values, invalid sizes', () => {
  assert.throws(() => qrHouseholder(new Float64Array(6), 2, 3), /qrHouseholder: thin QR needs m ≥ n, got m=2, n=3/);
  assert.throws(() => qrHouseholder(new Float64Array(5), 3, 2), /qrHouseholder: a has length 5, expected 6 \(m=3, n=2\)/);
  assert.throws(() => qrHouseholder(Float64Array.of(1, NaN), 2, 1), /qrHouseholder: a contains a non-finite value/);
  assert.throws(() => qrHouseholder(new Float64Array(4), 2.5, 1), /qrHouseholder: m must be a non-negative integer/);
  assert.throws(() => eighSymmetric(new Float64Array(8), 3), /eighSymmetric: a has length 8, expected 9 \(n=3\)/);
  assert.throws(() => eighSymmetric(Float64Array.of(1, Infinity, 0, 1), 2), /eighSymmetric: a contains a non-finite value \(Infinity\)/);
  assert.throws(() => cholesky(new Float64Array(3), 2), /cholesky: a has length 3, expected 4 \(n=2\)/);
  assert.throws(() => cholesky(Float64Array.of(1, 0, -Infinity, 1), 2), /cholesky: a contains a non-finite value/);
  const opts = { lower: true, transpose: false };
  assert.throws(() => solveTriangular(new Float64Array(4), new Float64Array(5), 2, 2, opts), /solveTriangular: b has length 5, expected 4 \(n=2, nrhs=2\)/);
  assert.throws(() => solveTriangular(new Float64Array(3), new Float64Array(2), 2, 1, opts), /solveTriangular: t has length 3, expected 4 \(n=2\)/);
  assert.throws(() => solveTriangular(eye(2), Float64Array.of(NaN, 1), 2, 1, opts), /solveTriangular: b contains a non-finite value \(NaN\)/);
  assert.throws(() => solveTriangular(eye(2), new Float64Array(2), 2, -1, opts), /solveTriangular: nrhs must be a non-negative integer/);
});

test('inputs are not modified', () => {
  const a = randSym(6, 90).map((v, i) => (i % 7 === 0 ? 10 : v));
  const copy = Float64Array.from(a);
  qrHouseholder(a, 6, 6);
  eighSymmetric(a, 6);
  cholesky(a, 6);
  solveTriangular(a, a, 6, 6, { lower: false, transpose: true });
  assert.deepEqual(Array.from(a), Array.from(copy));
});
