/**
 * The wasm backend's dense float64 eigh, QR, Cholesky and triangular solves
 * (src/kernels/wasm/linalg.c) against the js reference they port (src/kernels/dense.ts): same
 * conventions (ascending eigenvalues, eigenvector columns, sign of the largest component, lower
 * triangle only; thin QR with diag(R) ≥ 0; L lower with a zero strict upper triangle; only T's
 * own triangle read), results equal to rounding (Cholesky and forward substitution bit for bit),
 * the same input checks and error messages, and no state leaking between calls through the
 * reused scratch memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmKernels } from '../src/kernels/wasm.ts';
import { availableBackends, kernels, setBackend } from '../src/kernels/backend.ts';
import { cholesky as denseCholesky, eighSymmetric, qrHouseholder, solveTriangular as denseSolveTriangular } from '../src/kernels/dense.ts';

const wasm = loadWasmKernels();
const eigh = (a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } => wasm.eigh(a, n);
const qr = (a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } => wasm.qr(a, m, n);
const cholesky = (a: Float64Array, n: number): Float64Array => wasm.cholesky(a, n);
type TriOpts = { lower: boolean; transpose: boolean; unitDiagonal?: boolean };
const solveTriangular = (t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: TriOpts): Float64Array => wasm.solveTriangular(t, b, n, nrhs, opts);

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
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!;
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
  for (const [n, seed] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [7, 4],
    [64, 5],
    [256, 6],
  ] as const)
    compareEigh(randSym(n, seed), n, `n=${n}`);
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
  for (const [m, n, seed] of [
    [1, 1, 1],
    [5, 3, 2],
    [64, 64, 3],
    [1024, 64, 4],
    [300, 7, 5],
    [9, 1, 6],
    [2, 2, 7],
  ] as const) {
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

test("eigh/qr: bad inputs throw dense.ts's errors", () => {
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
  assert.deepEqual(eigh(s, 7), fresh.eigh(s, 7));
  const t = randn(15, 58);
  assert.deepEqual(qr(t, 5, 3), fresh.qr(t, 5, 3));
  // Results are fresh arrays, not views of wasm memory.
  const r1 = eigh(s, 7);
  eigh(randSym(7, 59), 7);
  assert.deepEqual(r1, fresh.eigh(s, 7));
  assert.ok(!(r1.values.buffer instanceof SharedArrayBuffer) && r1.values.byteOffset === 0 && r1.values.buffer.byteLength === 7 * 8);
});

test('the wasm backend exposes eigh, qr, cholesky and solveTriangular to the primitives', () => {
  assert.ok(availableBackends().includes('wasm'));
  const before = kernels().name;
  setBackend('wasm');
  try {
    assert.equal(typeof kernels().eigh, 'function');
    assert.equal(typeof kernels().qr, 'function');
    assert.equal(typeof kernels().cholesky, 'function');
    assert.equal(typeof kernels().solveTriangular, 'function');
  } finally {
    setBackend(before);
  }
});

/** G·Gᵀ/n + shift·I (G standard normal) with 1e3-scale garbage in the strict upper triangle. */
function randSpd(n: number, seed: number, shift = 0.5): Float64Array {
  const g = randn(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += g[i * n + k]! * g[j * n + k]!;
      a[i * n + j] = s / n + (i === j ? shift : 0);
    }
  }
  const junk = randn(n * n, seed + 1);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 1e3 * junk[i * n + j]!;
  return a;
}

/** Element-wise equality treating +0 and −0 as equal (a skipped zero row may flip a zero's sign). */
function assertSameValues(got: Float64Array, want: Float64Array, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(got[i] === want[i], `${label}: [${i}] = ${got[i]}, dense.ts ${want[i]}`);
}

test("cholesky: random SPD matrices give dense.ts's L bit for bit (n = 1, 2, 5, 64, 300; upper triangle ignored)", () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 64, 300]) {
    const a = randSpd(n, 200 + n);
    const copy = Float64Array.from(a);
    const l = cholesky(a, n);
    assert.deepEqual(a, copy, `n=${n}: input modified`);
    assert.deepStrictEqual(l, denseCholesky(a, n), `n=${n}: differs from dense.ts`);
    for (let i = 0; i < n; i++) {
      assert.ok(l[i * n + i]! > 0, `n=${n}: diag(L)[${i}] > 0`);
      for (let j = i + 1; j < n; j++) assert.ok(Object.is(l[i * n + j], 0), `n=${n}: L[${i}][${j}] = ${l[i * n + j]}`);
    }
    // L·Lᵀ reproduces the lower triangle.
    if (n <= 64) {
      const llt = matmul(
        l,
        l.map((_, idx) => l[(idx % n) * n + Math.floor(idx / n)]!),
        n,
        n,
        n,
      );
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) assert.ok(Math.abs(llt[i * n + j]! - a[i * n + j]!) <= 1e-12 * n, `n=${n}: (LLᵀ)[${i}][${j}]`);
    }
  }
  assert.deepEqual(cholesky(new Float64Array(0), 0), new Float64Array(0));
  assert.deepEqual(cholesky(Float64Array.of(4), 1), Float64Array.of(2));
});

test("cholesky: matrices that are not positive definite throw dense.ts's message (pivot and value)", () => {
  const cases: Array<[string, Float64Array, number]> = [
    ['negative 1×1', Float64Array.of(-1), 1],
    ['zero matrix', new Float64Array(9), 3],
    ['indefinite 2×2', Float64Array.of(1, 99, 2, 1), 2],
    ['semidefinite', Float64Array.of(1, 0, 0, 1, 1, 0, 1, 1, 1), 3],
  ];
  for (const n of [5, 64, 300]) {
    // Pull one diagonal entry of an SPD matrix far down: the pivot there (in a later block row or
    // inside a 4×4 diagonal block) goes negative.
    for (const at of [0, Math.floor(n / 2), n - 1]) {
      const a = randSpd(n, 300 + n + at);
      a[at * n + at]! -= 10 + n;
      cases.push([`n=${n}, pivot ${at}`, a, n]);
    }
  }
  // An overflowing sum: L[1][0] = 1e300/1e-150 = Infinity, so pivot 1 is −Infinity.
  cases.push(['overflow', Float64Array.of(1e-300, 0, 1e300, 1), 2]);
  for (const [label, a, n] of cases) {
    let want = '';
    assert.throws(
      () => denseCholesky(a, n),
      (e: Error) => ((want = e.message), true),
      `${label}: dense.ts throws`,
    );
    assert.match(want, /^cholesky: matrix is not positive definite \(pivot \d+ is .*, n=\d+\)$/);
    assert.throws(
      () => cholesky(a, n),
      (e: Error) => e.message === want,
      `${label}: wasm throws "${want}"`,
    );
  }
});

/**
 * A well-conditioned n×n triangular T (`lower` or upper): diagonal ±[1, 2], off-diagonal entries
 * of size ≤ 1/n, 1e6-scale garbage in the other triangle (and a zero diagonal when `unit`: then
 * the diagonal must not be read either).
 */
function randTriangular(n: number, lower: boolean, unit: boolean, seed: number): Float64Array {
  const r = randn(n * n, seed);
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = r[i * n + j]!;
      if (i === j) t[i * n + j] = unit ? 0 : Math.sign(v || 1) * (1 + Math.min(1, Math.abs(v)));
      else if (j < i === lower) t[i * n + j] = Math.tanh(v) / n;
      else t[i * n + j] = 1e6 * v;
    }
  }
  return t;
}

const TRI_COMBOS: TriOpts[] = [];
for (const lower of [true, false])
  for (const transpose of [false, true]) for (const unitDiagonal of [false, true]) TRI_COMBOS.push({ lower, transpose, unitDiagonal });
const label = (o: TriOpts): string => `lower=${o.lower} transpose=${o.transpose} unit=${o.unitDiagonal}`;

/** Checks one solve against dense.ts: bit for bit (up to zero signs) forwards, to 1e-12 relative backwards. */
function compareSolve(t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: TriOpts, what: string): Float64Array {
  const tCopy = Float64Array.from(t);
  const bCopy = Float64Array.from(b);
  const got = solveTriangular(t, b, n, nrhs, opts);
  assert.deepEqual(t, tCopy, `${what}: t modified`);
  assert.deepEqual(b, bCopy, `${what}: b modified`);
  const want = denseSolveTriangular(t, b, n, nrhs, opts);
  if (opts.lower !== opts.transpose) {
    assertSameValues(got, want, what);
  } else {
    const scale = Math.max(1, ...Array.from(want, Math.abs));
    assert.ok(maxDiff(got, want) <= 1e-12 * scale, `${what}: differs from dense.ts by ${maxDiff(got, want)}`);
  }
  return got;
}

test('solveTriangular: every (lower, transpose, unitDiagonal) against dense.ts (n = 1, 2, 5, 64, 300; nrhs = 1, 3, 300)', () => {
  let seed = 400;
  for (const n of [1, 2, 5, 64, 300]) {
    for (const opts of TRI_COMBOS) {
      const t = randTriangular(n, opts.lower, opts.unitDiagonal!, seed++);
      for (const nrhs of [1, 2, 3, 5, 300]) {
        if (n === 300 && nrhs === 2) continue;
        const b = randn(n * nrhs, seed++);
        const x = compareSolve(t, b, n, nrhs, opts, `n=${n} nrhs=${nrhs} ${label(opts)}`);
        if (n === 5) {
          // The residual of the contract itself: op(T)·X = B, with T's other triangle (and, for
          // unitDiagonal, its diagonal) replaced by what the contract says.
          const clean = t.map((v, idx) => {
            const i = Math.floor(idx / n),
              j = idx % n;
            if (i === j) return opts.unitDiagonal ? 1 : v;
            return j < i === opts.lower ? v : 0;
          });
          const tx = matmul(clean, x, n, n, nrhs, opts.transpose);
          assert.ok(maxDiff(tx, b) <= 1e-13, `n=5 nrhs=${nrhs} ${label(opts)}: residual ${maxDiff(tx, b)}`);
        }
      }
    }
  }
});

test("solveTriangular: right-hand sides with zero leading rows (skipped) and the identity (K-FAC's L⁻¹)", () => {
  for (const n of [7, 64, 130]) {
    for (const opts of TRI_COMBOS) {
      const t = randTriangular(n, opts.lower, opts.unitDiagonal!, 500 + n);
      compareSolve(t, eye(n), n, n, opts, `n=${n} identity ${label(opts)}`);
      // Column c is zero in its first (c·5 mod n) rows, or its last ones, or everywhere: zero
      // rows lead the substitution in one direction and trail it in the other.
      const nrhs = 11;
      const b = randn(n * nrhs, 600 + n);
      for (let c = 0; c < nrhs; c++) {
        const cut = c === 6 ? n : (c * 5) % n;
        for (let i = 0; i < n; i++) if (c % 2 === 0 ? i < cut : i >= n - cut) b[i * nrhs + c] = 0;
      }
      const x = compareSolve(t, b, n, nrhs, opts, `n=${n} zero rows ${label(opts)}`);
      for (let i = 0; i < n; i++) assert.ok(x[i * nrhs + 6] === 0, 'an all-zero column solves to (±) zero');
    }
  }
});

test("solveTriangular and cholesky compose to K-FAC's inverse: L⁻ᵀL⁻¹·A = I", () => {
  const n = 120;
  const a = randSpd(n, 700, 1);
  const l = cholesky(a, n);
  const linv = solveTriangular(l, eye(n), n, n, { lower: true, transpose: false });
  const inv = solveTriangular(l, linv, n, n, { lower: true, transpose: true });
  const sym = a.map((v, idx) => (idx % n > Math.floor(idx / n) ? a[(idx % n) * n + Math.floor(idx / n)]! : v));
  assert.ok(maxDiff(matmul(inv, sym, n, n, n), eye(n)) <= 1e-10, `A⁻¹A − I: ${maxDiff(matmul(inv, sym, n, n, n), eye(n))}`);
  const want = denseSolveTriangular(denseCholesky(a, n), denseSolveTriangular(denseCholesky(a, n), eye(n), n, n, { lower: true, transpose: false }), n, n, {
    lower: true,
    transpose: true,
  });
  assert.ok(maxDiff(inv, want) <= 1e-12 * Math.max(...Array.from(want, Math.abs)), `differs from dense.ts by ${maxDiff(inv, want)}`);
});

test("cholesky/solveTriangular: bad inputs throw dense.ts's errors; empty sizes", () => {
  const t = Float64Array.of(2, 0, 1, 3);
  const cases: Array<[string, () => unknown, () => unknown]> = [
    ['cholesky NaN', () => cholesky(Float64Array.of(1, 0, Number.NaN, 1), 2), () => denseCholesky(Float64Array.of(1, 0, Number.NaN, 1), 2)],
    ['cholesky Infinity above', () => cholesky(Float64Array.of(1, Infinity, 0, 1), 2), () => denseCholesky(Float64Array.of(1, Infinity, 0, 1), 2)],
    ['cholesky length', () => cholesky(new Float64Array(5), 2), () => denseCholesky(new Float64Array(5), 2)],
    ['cholesky size', () => cholesky(new Float64Array(1), 1.5), () => denseCholesky(new Float64Array(1), 1.5)],
    [
      'solve t length',
      () => solveTriangular(new Float64Array(3), new Float64Array(2), 2, 1, { lower: true, transpose: false }),
      () => denseSolveTriangular(new Float64Array(3), new Float64Array(2), 2, 1, { lower: true, transpose: false }),
    ],
    [
      'solve b length',
      () => solveTriangular(t, new Float64Array(5), 2, 3, { lower: true, transpose: false }),
      () => denseSolveTriangular(t, new Float64Array(5), 2, 3, { lower: true, transpose: false }),
    ],
    [
      'solve b NaN',
      () => solveTriangular(t, Float64Array.of(1, Number.NaN), 2, 1, { lower: true, transpose: false }),
      () => denseSolveTriangular(t, Float64Array.of(1, Number.NaN), 2, 1, { lower: true, transpose: false }),
    ],
    [
      'solve t Infinity in the unread triangle',
      () => solveTriangular(Float64Array.of(2, Infinity, 1, 3), new Float64Array(2), 2, 1, { lower: true, transpose: false }),
      () => denseSolveTriangular(Float64Array.of(2, Infinity, 1, 3), new Float64Array(2), 2, 1, { lower: true, transpose: false }),
    ],
    [
      'solve nrhs',
      () => solveTriangular(t, new Float64Array(2), 2, -1, { lower: true, transpose: false }),
      () => denseSolveTriangular(t, new Float64Array(2), 2, -1, { lower: true, transpose: false }),
    ],
    [
      'solve n',
      () => solveTriangular(t, new Float64Array(2), 2.5, 1, { lower: true, transpose: false }),
      () => denseSolveTriangular(t, new Float64Array(2), 2.5, 1, { lower: true, transpose: false }),
    ],
  ];
  // A zero diagonal entry is singular (unless unitDiagonal), whatever the right-hand side, even an empty one.
  for (const opts of TRI_COMBOS.filter((o) => !o.unitDiagonal)) {
    for (const nrhs of [0, 1, 4]) {
      const z = randTriangular(9, opts.lower, false, 800 + nrhs);
      z[5 * 9 + 5] = -0;
      const b = randn(9 * nrhs, 801);
      cases.push([`singular ${label(opts)} nrhs=${nrhs}`, () => solveTriangular(z, b, 9, nrhs, opts), () => denseSolveTriangular(z, b, 9, nrhs, opts)]);
    }
  }
  for (const [what, gotFn, wantFn] of cases) {
    let want = '';
    assert.throws(wantFn, (e: Error) => ((want = e.message), true), `${what}: dense.ts throws`);
    assert.throws(gotFn, (e: Error) => e.message === want, `${what}: wasm throws "${want}"`);
  }
  assert.throws(
    () => solveTriangular(Float64Array.of(1, 0, 0, 0), Float64Array.of(1, 1), 2, 1, { lower: true, transpose: true }),
    /^Error: solveTriangular: matrix is singular \(zero diagonal at 1, n=2\)$/,
  );
  assert.deepEqual(solveTriangular(new Float64Array(0), new Float64Array(0), 0, 5, { lower: true, transpose: false }), new Float64Array(0));
  assert.deepEqual(solveTriangular(eye(3), new Float64Array(0), 3, 0, { lower: false, transpose: false }), new Float64Array(0));
});

test("cholesky/solveTriangular: results are fresh arrays; small calls after big ones equal a fresh module's", () => {
  const n = 300;
  const l = cholesky(randSpd(n, 900), n);
  solveTriangular(l, randn(n * n, 901), n, n, { lower: true, transpose: true });
  const fresh = loadWasmKernels();
  const a = randSpd(6, 902);
  const small = cholesky(a, 6);
  assert.deepEqual(small, fresh.cholesky(a, 6));
  const b = randn(6 * 3, 903);
  for (const opts of TRI_COMBOS) {
    const t = randTriangular(6, opts.lower, opts.unitDiagonal!, 904);
    assert.deepEqual(solveTriangular(t, b, 6, 3, opts), fresh.solveTriangular(t, b, 6, 3, opts));
  }
  const x1 = solveTriangular(small, b, 6, 3, { lower: true, transpose: false });
  solveTriangular(small, randn(18, 905), 6, 3, { lower: true, transpose: false });
  assert.deepEqual(x1, fresh.solveTriangular(small, b, 6, 3, { lower: true, transpose: false }));
  assert.ok(small.byteOffset === 0 && small.buffer.byteLength === 36 * 8 && x1.buffer.byteLength === 18 * 8, 'results own their buffers');
});
