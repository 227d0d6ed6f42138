/**
 * The wasm backend's dense float64 eigh and QR (src/kernels/wasm/linalg.c) against the js
 * reference they port (src/linalg/dense.ts): same conventions (ascending eigenvalues, eigenvector
 * columns, sign of the largest component, lower triangle only; thin QR with diag(R) ≥ 0), results
 * equal to rounding, the same input checks and error messages, and no state leaking between
 * calls through the reused scratch memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../src/kernels/wasm.ts';
import { availableBackends, kernels, setBackend } from '../src/kernels/backend.ts';
import { eighSymmetric, qrHouseholder } from '../src/linalg/dense.ts';

const wasm = loadWasmKernels();
const eigh = (a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } => wasm.eigh!(a, n);
const qr = (a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } => wasm.qr!(a, m, n);

/** Deterministic standard normals: 32-bit LCG + Box–Muller. */
function randn(size: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return Float64Array.from({ length: size }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/** C = op(A)·B for row-major A (m×k, or k×m if transA) and B (k×n). */
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i]! : a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j]!;
    }
  }
  return c;
}

const frob = (a: Float64Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
const maxDiff = (a: Float64Array, b: Float64Array): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const eye = (n: number): Float64Array => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

/** Random symmetric (G + Gᵀ)/2. */
function randSym(n: number, seed: number): Float64Array {
  const g = randn(n * n, seed);
  return g.map((_, idx) => 0.5 * (g[idx]! + g[(idx % n) * n + Math.floor(idx / n)]!));
}

/** Q diag(λ) Qᵀ with Q a random orthogonal matrix. */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const q = qrHouseholder(randn(n * n, seed), n, n).q;
  const qd = q.map((v, idx) => v * values[idx % n]!);
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qt[j * n + i] = q[i * n + j]!;
  const a = matmul(qd, qt, n, n, n);
  // Exactly symmetric, so "reads the lower triangle" and the symmetric matrix are the same thing.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return a;
}

/**
 * The contract on its own: ascending, VᵀV = I, A·V = V·Λ, and each vector's largest-magnitude
 * component (the first on exact ties) positive.
 */
function checkEighContract(a: Float64Array, n: number, got: { values: Float64Array; vectors: Float64Array }, label: string): void {
  const { values, vectors } = got;
  assert.equal(values.length, n);
  assert.equal(vectors.length, n * n);
  const scale = Math.max(frob(a), 1);
  for (let j = 1; j < n; j++) assert.ok(values[j - 1]! <= values[j]!, `${label}: eigenvalues ascending`);
  assert.ok(maxDiff(matmul(vectors, vectors, n, n, n, true), eye(n)) <= 1e-12, `${label}: VᵀV = I`);
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
}

/**
 * wasm vs dense.ts: eigenvalues to 1e-10·max(1, ‖A‖); eigenvectors to 1e-8 wherever the
 * eigenvalue is separated from its neighbours by more than `minGap`·max(1, ‖A‖) (elsewhere
 * only the contract is checked: a cluster's basis is not unique).
 */
function compareEigh(a: Float64Array, n: number, label: string, minGap = 1e-3): void {
  const got = eigh(a, n);
  const want = eighSymmetric(a, n);
  const scale = Math.max(frob(a), 1);
  assert.ok(maxDiff(got.values, want.values) <= 1e-10 * scale, `${label}: eigenvalues differ by ${maxDiff(got.values, want.values)}`);
  for (let j = 0; j < n; j++) {
    const gap = Math.min(j > 0 ? want.values[j]! - want.values[j - 1]! : Infinity, j < n - 1 ? want.values[j + 1]! - want.values[j]! : Infinity);
    if (!(gap > minGap * scale)) continue;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(got.vectors[i * n + j]! - want.vectors[i * n + j]!);
      assert.ok(d <= 1e-8, `${label}: vector ${j} component ${i} differs by ${d}`);
    }
  }
  checkEighContract(a, n, got, label);
}

test('eigh: random symmetric matrices agree with dense.ts (n = 1, 2, 3, 7, 64, 256)', () => {
  for (const [n, seed] of [[1, 1], [2, 2], [3, 3], [7, 4], [64, 5], [256, 6]] as const) compareEigh(randSym(n, seed), n, `n=${n}`);
});

test('eigh: repeated and clustered eigenvalues (residual and orthonormality)', () => {
  const spectra: number[][] = [
    [1, 1, 1, 2, 2, 5, -3, -3],
    [4, 4, 4, 4, 4, 4],
    [1, 1 + 1e-12, 1 - 1e-12, 2, 2 + 1e-13, 0, 0, 0, -7, 3, 3],
    Array.from({ length: 40 }, (_, i) => Math.floor(i / 10) - 1.5),
  ];
  spectra.forEach((spec, t) => {
    const n = spec.length;
    const a = withSpectrum(spec, 100 + t);
    const got = eigh(a, n);
    const sorted = [...spec].sort((x, y) => x - y);
    const scale = Math.max(frob(a), 1);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(got.values[j]! - sorted[j]!) <= 1e-10 * scale, `spectrum ${t}: value ${j}`);
    compareEigh(a, n, `spectrum ${t}`);
  });
});

test('eigh: only the lower triangle is read (garbage in the strict upper triangle)', () => {
  for (const n of [2, 5, 64]) {
    const clean = randSym(n, 40 + n);
    const dirty = Float64Array.from(clean);
    const junk = randn(n * n, 90 + n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dirty[i * n + j] = 1e3 * junk[i * n + j]!;
    const got = eigh(dirty, n);
    assert.deepEqual(got, eigh(clean, n), `n=${n}: same result as the symmetric matrix`);
    const want = eighSymmetric(dirty, n);
    assert.ok(maxDiff(got.values, want.values) <= 1e-10 * Math.max(1, frob(clean)));
    checkEighContract(clean, n, got, `dirty n=${n}`);
  }
});

test('eigh: zero matrix, identity, diagonal and 1×1 give exactly what dense.ts gives', () => {
  for (const n of [1, 3, 8]) {
    assert.deepEqual(eigh(new Float64Array(n * n), n), eighSymmetric(new Float64Array(n * n), n), `zero n=${n}`);
    assert.deepEqual(eigh(eye(n), n), eighSymmetric(eye(n), n), `identity n=${n}`);
    const zero = eigh(new Float64Array(n * n), n);
    assert.deepEqual(zero.values, new Float64Array(n));
    assert.deepEqual(zero.vectors, eye(n));
    assert.deepEqual(eigh(eye(n), n).values, new Float64Array(n).fill(1));
  }
  const diag = new Float64Array(16);
  [3, -1, 2, -1].forEach((v, i) => (diag[i * 5] = v));
  assert.deepEqual(eigh(diag, 4), eighSymmetric(diag, 4));
  assert.deepEqual(eigh(diag, 4).values, Float64Array.of(-1, -1, 2, 3));
  assert.deepEqual(eigh(Float64Array.of(-2.5), 1), { values: Float64Array.of(-2.5), vectors: Float64Array.of(1) });
  // Sign convention: the largest component is positive even when the input vector is negative.
  const got = eigh(Float64Array.of(2, 0, -1, 2), 2);
  assert.deepEqual(got, eighSymmetric(Float64Array.of(2, 0, -1, 2), 2));
});

test('eigh: huge, tiny and subnormal-scale matrices are rescaled like dense.ts', () => {
  for (const s of [1e250, 1e-250, 1e-305, 2 ** -1060]) {
    const base = randSym(6, 77);
    const a = base.map((v) => v * s);
    const got = eigh(a, 6);
    const want = eighSymmetric(a, 6);
    const amax = Math.max(...Array.from(a, Math.abs));
    // Subnormal inputs carry fewer significant bits: compare relative to the matrix's scale.
    for (let j = 0; j < 6; j++) assert.ok(Math.abs(got.values[j]! - want.values[j]!) <= 1e-10 * 6 * amax, `s=${s}: value ${j}`);
    assert.ok(maxDiff(got.vectors, want.vectors) <= 1e-8, `s=${s}: vectors`);
    assert.ok(got.values.every(Number.isFinite));
  }
});

/** Q orthonormal, QR = A, R upper triangular with diag(R) ≥ 0, and agreement with dense.ts. */
function checkQr(a: Float64Array, m: number, n: number, label: string): { q: Float64Array; r: Float64Array } {
  const got = qr(a, m, n);
  const { q, r } = got;
  assert.equal(q.length, m * n);
  assert.equal(r.length, n * n);
  const amax = Math.max(1, ...Array.from(a, Math.abs));
  assert.ok(maxDiff(matmul(q, r, m, n, n), a) <= 1e-12 * amax, `${label}: QR = A`);
  assert.ok(maxDiff(matmul(q, q, n, m, n, true), eye(n)) <= 1e-12, `${label}: QᵀQ = I`);
  for (let i = 0; i < n; i++) {
    assert.ok(r[i * n + i]! >= 0, `${label}: diag(R)[${i}] ≥ 0`);
    for (let j = 0; j < i; j++) assert.equal(r[i * n + j], 0, `${label}: R upper triangular`);
  }
  const want = qrHouseholder(a, m, n);
  assert.ok(maxDiff(q, want.q) <= 1e-10, `${label}: Q differs from dense.ts by ${maxDiff(q, want.q)}`);
  assert.ok(maxDiff(r, want.r) <= 1e-10 * amax, `${label}: R differs from dense.ts by ${maxDiff(r, want.r)}`);
  return got;
}

test('qr: 1×1, 5×3, 64×64, 1024×64 and 300×7 agree with dense.ts', () => {
  for (const [m, n, seed] of [[1, 1, 1], [5, 3, 2], [64, 64, 3], [1024, 64, 4], [300, 7, 5], [9, 1, 6], [2, 2, 7]] as const) {
    checkQr(randn(m * n, seed), m, n, `${m}×${n}`);
  }
  // A negative 1×1 flips to Q = −1, R = |a|.
  assert.deepEqual(qr(Float64Array.of(-3), 1, 1), { q: Float64Array.of(-1), r: Float64Array.of(3) });
});

test('qr: rank-deficient input (a zero column, a repeated column) and the zero matrix', () => {
  const [m, n] = [10, 4];
  const a = randn(m * n, 31);
  for (let i = 0; i < m; i++) a[i * n + 2] = 0;
  const { r } = checkQr(a, m, n, 'zero column');
  assert.equal(r[2 * n + 2], 0);
  // Column 3 = column 0: exact cancellation leaves rounding noise in R[3][3], nothing more.
  const b = randn(m * n, 32);
  for (let i = 0; i < m; i++) b[i * n + 3] = b[i * n]!;
  const got = qr(b, m, n);
  assert.ok(Math.abs(got.r[3 * n + 3]!) <= 1e-12 * frob(b));
  assert.ok(maxDiff(matmul(got.q, got.r, m, n, n), b) <= 1e-12 * frob(b));
  assert.deepEqual(qr(new Float64Array(12), 4, 3), qrHouseholder(new Float64Array(12), 4, 3));
  assert.deepEqual(qr(new Float64Array(12), 4, 3).q, Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0));
});

test('eigh/qr: empty sizes return empty arrays like dense.ts', () => {
  assert.deepEqual(eigh(new Float64Array(0), 0), { values: new Float64Array(0), vectors: new Float64Array(0) });
  assert.deepEqual(qr(new Float64Array(0), 0, 0), { q: new Float64Array(0), r: new Float64Array(0) });
  assert.deepEqual(qr(new Float64Array(0), 5, 0), qrHouseholder(new Float64Array(0), 5, 0));
});

test('eigh/qr: bad inputs throw dense.ts\'s errors', () => {
  const cases: Array<[string, () => unknown, () => unknown]> = [
    ['qr NaN', () => qr(Float64Array.of(1, 2, Number.NaN, 4, 5, 6), 3, 2), () => qrHouseholder(Float64Array.of(1, 2, Number.NaN, 4, 5, 6), 3, 2)],
    ['qr m < n', () => qr(new Float64Array(6), 2, 3), () => qrHouseholder(new Float64Array(6), 2, 3)],
    ['qr length', () => qr(new Float64Array(5), 3, 2), () => qrHouseholder(new Float64Array(5), 3, 2)],
    ['qr size', () => qr(new Float64Array(4), 2.5, 1), () => qrHouseholder(new Float64Array(4), 2.5, 1)],
    ['qr negative', () => qr(new Float64Array(0), 0, -1), () => qrHouseholder(new Float64Array(0), 0, -1)],
    ['eigh NaN', () => eigh(Float64Array.of(1, 0, Number.NaN, 1), 2), () => eighSymmetric(Float64Array.of(1, 0, Number.NaN, 1), 2)],
    // The unread upper triangle is checked too, as dense.ts does.
    ['eigh Infinity above', () => eigh(Float64Array.of(1, Infinity, 0, 1), 2), () => eighSymmetric(Float64Array.of(1, Infinity, 0, 1), 2)],
    ['eigh length', () => eigh(new Float64Array(5), 2), () => eighSymmetric(new Float64Array(5), 2)],
    ['eigh size', () => eigh(new Float64Array(1), 1.5), () => eighSymmetric(new Float64Array(1), 1.5)],
  ];
  for (const [label, gotFn, wantFn] of cases) {
    let want = '';
    assert.throws(wantFn, (e: Error) => ((want = e.message), true), `${label}: dense.ts throws`);
    assert.throws(gotFn, (e: Error) => e.message === want, `${label}: wasm throws "${want}"`);
  }
  assert.throws(() => eigh(Float64Array.of(1, 0, Number.NaN, 1), 2), /eighSymmetric: a contains a non-finite value \(NaN\) at index 2/);
  assert.throws(() => qr(Float64Array.of(-Infinity), 1, 1), /qrHouseholder: a contains a non-finite value \(-Infinity\) at index 0/);
});

test('eigh/qr: inputs are not modified and nothing leaks between calls through scratch memory', () => {
  const big = randSym(200, 55);
  const bigCopy = Float64Array.from(big);
  eigh(big, 200);
  assert.deepEqual(big, bigCopy);
  const tall = randn(1024 * 64, 56);
  const tallCopy = Float64Array.from(tall);
  qr(tall, 1024, 64);
  assert.deepEqual(tall, tallCopy);
  // Small problems after big ones (stale scratch contents) equal the same problems in a fresh module.
  const fresh = loadWasmKernels();
  const s = randSym(7, 57);
  assert.deepEqual(eigh(s, 7), fresh.eigh!(s, 7));
  const t = randn(15, 58);
  assert.deepEqual(qr(t, 5, 3), fresh.qr!(t, 5, 3));
  // Results are fresh arrays, not views of wasm memory.
  const r1 = eigh(s, 7);
  eigh(randSym(7, 59), 7);
  assert.deepEqual(r1, fresh.eigh!(s, 7));
  assert.ok(!(r1.values.buffer instanceof SharedArrayBuffer) && r1.values.byteOffset === 0 && r1.values.buffer.byteLength === 7 * 8);
});

test('the wasm backend exposes eigh and qr to the primitives', () => {
  assert.ok(availableBackends().includes('wasm'));
  const before = kernels().name;
  setBackend('wasm');
  try {
    assert.equal(typeof kernels().eigh, 'function');
    assert.equal(typeof kernels().qr, 'function');
  } finally {
    setBackend(before);
  }
});
