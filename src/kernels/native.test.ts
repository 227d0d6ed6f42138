/**
 * The native (OpenBLAS/LAPACK) backend against the js reference: GEMM over shapes, transposes,
 * batch strides and both precisions; im2col/col2im and the fused optimizer loops (adam/scale/add,
 * against src/optim/fused.ts) and the elementwise binary ops (every op and form, against the
 * BINARY_OPS expressions) bit for bit; QR, eigh, Cholesky and triangular solves against
 * src/kernels/dense.ts, conventions and error messages included; argument errors; thread control. Skipped when the
 * optional addon is not built (no OpenBLAS/LAPACKE headers at install).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BINARY_OPS, BINARY_REFERENCE, type AdamScalars, type BinaryOp, type FloatArray, type GemmArgs, type Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';
import { patchGeometry } from './kernels.ts';
import {
  NATIVE_PATH,
  SMALL_MACS,
  THREAD_MIN_MACS,
  EIGH_THREAD_MIN_N,
  nativeThreadPolicy,
  loadNativeAddon,
  loadNativeKernels,
  nativeInfo,
  nativeThreads,
  setNativeThreads,
} from './native.ts';
import { cholesky as denseCholesky, eighSymmetric, qrHouseholder, solveTriangular as denseSolveTriangular } from './dense.ts';
import { fusedAdamLeaf, fusedAddLeaf, fusedScaleLeaf } from './fused.ts';
import { lcg, randomArray, runGemm } from '../../test/support/test-data.ts';
import { NODE_FLAGS } from '../../test/support/node-flags.ts';

const skip = existsSync(NATIVE_PATH) ? false : `native addon not built (${NATIVE_PATH}); run npm run build:native`;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type DType = 'float32' | 'float64';

function randomF64(size: number, seed: number): Float64Array {
  return randomArray('float64', size, lcg(seed)) as Float64Array;
}

/** Loaded lazily so that a missing addon only skips, never fails at import. */
let raw: Kernels | undefined;
let routed: Kernels | undefined;
function native(): { raw: Kernels; routed: Kernels } {
  raw ??= loadNativeKernels({ raw: true });
  routed ??= loadNativeKernels();
  return { raw, routed };
}

test('a missing addon is refused with a clear error', () => {
  assert.throws(() => loadNativeKernels({ path: '/nonexistent/trainscope_native.node' }), /native addon not built .*build:native/);
});

/** [m, n, k]: empty, unit, odd, and a few past OpenBLAS's small-matrix paths. */
const SHAPES: Array<[number, number, number]> = [
  [0, 3, 4],
  [3, 0, 4],
  [3, 4, 0],
  [1, 1, 1],
  [1, 7, 1],
  [7, 1, 9],
  [1, 1, 300],
  [2, 3, 2],
  [13, 11, 37],
  [17, 9, 257],
  [65, 33, 100],
  [3, 130, 5],
];

function gemmCases(): Array<{ label: string; args: GemmArgs }> {
  const cases: Array<{ label: string; args: GemmArgs }> = [];
  for (const [m, n, k] of SHAPES) {
    for (let t = 0; t < 4; t++) {
      const base = { m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2 };
      const strides: Array<[string, number, number, number]> = [
        ['single', 1, 0, 0],
        ['batch 3', 3, m * k, k * n],
        ['batch 3, A broadcast', 3, 0, k * n],
        ['batch 3, B broadcast', 3, m * k, 0],
        ['batch 2, both broadcast', 2, 0, 0],
        ['batch 3, padded strides', 3, m * k + 5, k * n + 3],
        ['batch 0', 0, m * k, k * n],
      ];
      for (const [name, batch, aBatchStride, bBatchStride] of strides) {
        cases.push({ label: `${m}×${n}×${k} tA=${base.transA} tB=${base.transB} ${name}`, args: { ...base, batch, aBatchStride, bBatchStride } });
      }
    }
  }
  return cases;
}

/** |got − want| ≤ rtol · (|A|·|B|) entrywise: a relative bound that holds however the sum is ordered. */
function assertGemmClose(got: FloatArray, want: FloatArray, scale: FloatArray, rtol: number, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= rtol * scale[i]! + 1e-300)) assert.fail(`${label}: C[${i}] = ${got[i]}, js gives ${want[i]} (|err| ${err}, scale ${scale[i]})`);
  }
}

for (const dtype of ['float64', 'float32'] as const) {
  test(`gemm ${dtype}: matches js over shapes, transposes and batch strides`, { skip }, () => {
    const { raw: nat, routed: nr } = native();
    const rtol = dtype === 'float64' ? 1e-12 : 1e-5;
    let seed = 1;
    for (const { label, args } of gemmCases()) {
      const rand = lcg(seed++);
      const aSize = Math.max(1, args.batch) * Math.max(args.aBatchStride, args.m * args.k) + 2;
      const bSize = Math.max(1, args.batch) * Math.max(args.bBatchStride, args.k * args.n) + 2;
      const a = randomArray(dtype, aSize, rand);
      const b = randomArray(dtype, bSize, rand);
      const aCopy = a.slice();
      const bCopy = b.slice();
      const want = runGemm(jsKernels, a, b, 'float64', args);
      const scale = runGemm(jsKernels, a.map(Math.abs), b.map(Math.abs), 'float64', args);
      // js on f32 inputs accumulates in double; compare both backends with that double result.
      const aD = Float64Array.from(a),
        bD = Float64Array.from(b);
      const want64 = dtype === 'float64' ? want : runGemm(jsKernels, aD, bD, 'float64', args);
      for (const [name, kern] of [
        ['raw', nat],
        ['routed', nr],
      ] as const) {
        const got = runGemm(kern, a, b, dtype, args);
        assertGemmClose(got, want64, scale, rtol, `${name} ${dtype} ${label}`);
        assert.deepEqual(a, aCopy, `${name} ${label}: A modified`);
        assert.deepEqual(b, bCopy, `${name} ${label}: B modified`);
        assert.deepEqual(runGemm(kern, a, b, dtype, args), got, `${name} ${label}: not deterministic`);
      }
    }
  });
}

test('gemm: exactly representable products agree bit for bit with js', { skip }, () => {
  const { raw: nat } = native();
  for (const dtype of ['float32', 'float64'] as const) {
    const rand = lcg(77);
    const q = (): number => Math.floor((rand() + 1) * 16) / 8 - 2;
    for (const [m, n, k] of [
      [9, 10, 11],
      [33, 17, 300],
      [70, 129, 64],
    ] as const) {
      const a = randomArray(dtype, m * k, q);
      const b = randomArray(dtype, k * n, q);
      for (let t = 0; t < 4; t++) {
        const args: GemmArgs = { batch: 1, m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, aBatchStride: 0, bBatchStride: 0 };
        assert.deepEqual(runGemm(nat, a, b, dtype, args), runGemm(jsKernels, a, b, dtype, args), `${dtype} ${m}×${n}×${k} t=${t}`);
      }
    }
  }
});

test('gemm: tiny and mixed-dtype products go to js unchanged', { skip }, () => {
  const { routed: nr } = native();
  assert.ok(SMALL_MACS > 1);
  const rand = lcg(5);
  // 1×1×1 is below SMALL_MACS: exactly the js result (double accumulation, even for f32).
  for (const dtype of ['float32', 'float64'] as const) {
    const a = randomArray(dtype, 4, rand),
      b = randomArray(dtype, 4, rand);
    const args: GemmArgs = { batch: 1, m: 2, n: 2, k: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    assert.deepEqual(runGemm(nr, a, b, dtype, args), runGemm(jsKernels, a, b, dtype, args));
  }
  const a = randomArray('float32', 40 * 30, rand),
    b = randomArray('float64', 30 * 20, rand);
  const args: GemmArgs = { batch: 1, m: 40, n: 20, k: 30, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  assert.deepEqual(runGemm(nr, a, b, 'float64', args), runGemm(jsKernels, a, b, 'float64', args));
});

test('im2col/col2im: match js bit for bit (f32, f64, padding, strides, dilation, mixed dtypes)', { skip }, () => {
  const { routed: nr } = native();
  const geometries = [
    patchGeometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
    patchGeometry(2, 3, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1),
    patchGeometry(1, 2, 8, 6, 2, 3, 2, 1, 0, 2, 1, 1),
    patchGeometry(2, 1, 9, 9, 3, 2, 2, 3, 1, 0, 2, 1),
    patchGeometry(1, 1, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1),
    patchGeometry(3, 4, 12, 10, 3, 3, 3, 2, 4, 1, 1, 3),
  ];
  let seed = 900;
  for (const g of geometries) {
    for (const [xType, outType] of [
      ['float32', 'float32'],
      ['float64', 'float64'],
      ['float32', 'float64'],
    ] as const) {
      const rand = lcg(seed++);
      const x = randomArray(xType, g.n * g.c * g.h * g.w, rand);
      const colsSize = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
      const alloc = (dtype: DType, size: number): FloatArray => (dtype === 'float32' ? new Float32Array(size) : new Float64Array(size)).fill(Number.NaN);
      const label = `${xType}→${outType} n${g.n} c${g.c} ${g.h}×${g.w} k${g.kh}×${g.kw} s${g.strideH}×${g.strideW} p${g.padH}×${g.padW} d${g.dilationH}×${g.dilationW}`;
      for (const pad of [0, -Infinity, 0.1]) {
        const want = alloc(outType, colsSize);
        jsKernels.im2col(x, want, g, pad);
        const got = alloc(outType, colsSize);
        nr.im2col(x, got, g, pad);
        assert.deepEqual(got, want, `im2col ${label} pad ${pad}`);
      }
      const cols = randomArray(xType, colsSize, rand);
      const want = alloc(outType, x.length);
      jsKernels.col2im(cols, want, g);
      const got = alloc(outType, x.length);
      nr.col2im(cols, got, g);
      assert.deepEqual(got, want, `col2im ${label}`);
    }
  }
});

function maxAbsDiff(x: Float64Array, y: Float64Array): number {
  assert.equal(x.length, y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

function maxAbs(x: Float64Array): number {
  let d = 0;
  for (const v of x) d = Math.max(d, Math.abs(v));
  return d;
}

/** Q·diag(d)·Qᵀ for an n×n orthogonal Q (row-major). */
function withSpectrum(q: Float64Array, d: number[]): Float64Array {
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * d[k]! * q[j * n + k]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

/** A random orthogonal n×n matrix (Q of a random square matrix). */
function randomOrthogonal(n: number, seed: number): Float64Array {
  return qrHouseholder(randomF64(n * n, seed), n, n).q;
}

/** Checks Q's orthonormal columns, QR = A, upper-triangular R with diag(R) ≥ 0. */
function assertQrValid(a: Float64Array, m: number, n: number, q: Float64Array, r: Float64Array, tol: number, label: string): void {
  const scale = Math.max(1, maxAbs(a));
  for (let i = 0; i < n; i++) {
    assert.ok(r[i * n + i]! >= 0, `${label}: diag(R)[${i}] = ${r[i * n + i]}`);
    for (let j = 0; j < i; j++) assert.equal(r[i * n + j], 0, `${label}: R[${i}][${j}] below the diagonal`);
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += q[i * n + k]! * r[k * n + j]!;
      assert.ok(Math.abs(s - a[i * n + j]!) <= tol * scale, `${label}: (QR)[${i}][${j}] = ${s}, A has ${a[i * n + j]}`);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += q[k * n + i]! * q[k * n + j]!;
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) <= tol, `${label}: (QᵀQ)[${i}][${j}] = ${s}`);
    }
  }
}

test('qr: matches qrHouseholder (Q, R, diag(R) ≥ 0) on random and ill-conditioned matrices', { skip }, () => {
  const { routed: nr } = native();
  const cases: Array<[string, Float64Array, number, number]> = [];
  for (const [m, n] of [
    [1, 1],
    [3, 2],
    [5, 5],
    [40, 33],
    [100, 64],
    [1024, 64],
    [70, 70],
    [300, 7],
    [64, 63],
  ] as const) {
    cases.push([`random ${m}×${n}`, randomF64(m * n, m * 1000 + n), m, n]);
  }
  // Singular values 1 … 1e-4 (condition 1e4): Q and R stay well determined, to ~cond·ε.
  const u = randomOrthogonal(60, 11),
    v = randomOrthogonal(40, 12);
  const ill = new Float64Array(60 * 40);
  for (let i = 0; i < 60; i++) {
    for (let j = 0; j < 40; j++) {
      let s = 0;
      for (let k = 0; k < 40; k++) s += u[i * 60 + k]! * 10 ** ((-4 * k) / 39) * v[j * 40 + k]!;
      ill[i * 40 + j] = s;
    }
  }
  cases.push(['condition 1e4, 60×40', ill, 60, 40]);
  cases.push(['scaled by 2^600', randomF64(30 * 20, 3).map((x) => x * 2 ** 600), 30, 20]);
  for (const [label, a, m, n] of cases) {
    const copy = a.slice();
    const got = nr.qr(a, m, n);
    const want = qrHouseholder(a, m, n);
    assert.deepEqual(a, copy, `${label}: input modified`);
    assert.equal(got.q.length, m * n);
    assert.equal(got.r.length, n * n);
    assert.ok(maxAbsDiff(got.q, want.q) <= 1e-10, `${label}: Q differs by ${maxAbsDiff(got.q, want.q)}`);
    assert.ok(maxAbsDiff(got.r, want.r) <= 1e-10 * Math.max(1, maxAbs(want.r)), `${label}: R differs by ${maxAbsDiff(got.r, want.r)}`);
    assertQrValid(a, m, n, got.q, got.r, 1e-12, label);
  }
});

test('qr: rank-deficient and empty inputs keep the conventions', { skip }, () => {
  const { routed: nr } = native();
  // Column 2 = column 0 + column 1, and a zero column: R has zeros on its diagonal, Q stays orthonormal.
  const m = 8,
    n = 4;
  const a = randomF64(m * n, 21);
  for (let i = 0; i < m; i++) {
    a[i * n + 2] = a[i * n]! + a[i * n + 1]!;
    a[i * n + 3] = 0;
  }
  const { q, r } = nr.qr(a, m, n);
  assertQrValid(a, m, n, q, r, 1e-12, 'rank 2');
  assert.ok(Math.abs(r[2 * n + 2]!) <= 1e-14 && r[3 * n + 3] === 0, `diag(R) = ${[0, 1, 2, 3].map((i) => r[i * n + i])}`);
  for (const [mm, nn] of [
    [3, 0],
    [0, 0],
  ] as const) {
    const out = nr.qr(new Float64Array(0), mm, nn);
    assert.equal(out.q.length, 0);
    assert.equal(out.r.length, 0);
  }
  const zero = nr.qr(new Float64Array(6), 3, 2);
  assert.deepEqual(zero.r, new Float64Array(4));
  assertQrValid(new Float64Array(6), 3, 2, zero.q, zero.r, 1e-15, 'zero matrix');
});

/** The dense.ts sign rule: each eigenvector's first largest-magnitude component is positive. */
function assertSignConvention(vectors: Float64Array, n: number, label: string): void {
  for (let j = 0; j < n; j++) {
    let pivot = 0;
    for (let i = 1; i < n; i++) if (Math.abs(vectors[i * n + j]!) > Math.abs(vectors[pivot * n + j]!)) pivot = i;
    assert.ok(vectors[pivot * n + j]! > 0, `${label}: eigenvector ${j} has its largest component negative`);
  }
}

/** A·V = V·Λ and VᵀV = I, reading A's lower triangle only. */
function assertEigenpairs(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array, tol: number, label: string): void {
  const sym = (i: number, j: number): number => (i >= j ? a[i * n + j]! : a[j * n + i]!);
  const scale = Math.max(1e-300, maxAbs(values));
  for (let j = 0; j < n; j++) {
    if (j > 0) assert.ok(values[j]! >= values[j - 1]!, `${label}: eigenvalues not ascending at ${j}`);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += sym(i, k) * vectors[k * n + j]!;
      assert.ok(Math.abs(s - values[j]! * vectors[i * n + j]!) <= tol * scale, `${label}: (AV − VΛ)[${i}][${j}] = ${s - values[j]! * vectors[i * n + j]!}`);
    }
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[k * n + j]! * vectors[k * n + l]!;
      assert.ok(Math.abs(s - (j === l ? 1 : 0)) <= tol, `${label}: (VᵀV)[${j}][${l}] = ${s}`);
    }
  }
}

test('eigh: matches eighSymmetric (values, vectors, signs) on random and clustered spectra', { skip }, () => {
  const { routed: nr } = native();
  const cases: Array<[string, Float64Array, number]> = [];
  for (const n of [1, 2, 5, 33, 100, 256]) {
    const g = randomF64(n * n, 500 + n);
    cases.push([`random symmetric ${n}`, g.map((_, i) => 0.5 * (g[i]! + g[(i % n) * n + Math.floor(i / n)]!)), n]);
    // Not symmetric at all: only the lower triangle may be read, the strict upper one is garbage.
    cases.push([`random, garbage upper triangle ${n}`, g.map((x, i) => (i % n > Math.floor(i / n) ? 1e3 * x + 7 : x)), n]);
  }
  // Clusters with gaps of 1e-3 (eigenvectors still determined to ~ε‖A‖/gap ≈ 1e-12).
  const clustered = [-3, -3 + 1e-3, -3 + 2e-3, 0.5, 0.5 + 1e-3, 2, 2 + 1e-3, 2 + 2e-3, 2 + 3e-3, 7];
  cases.push(['clustered spectrum 10', withSpectrum(randomOrthogonal(10, 31), clustered), 10]);
  const wide: number[] = [];
  for (let i = 0; i < 60; i++) wide.push(Math.floor(i / 4) + (i % 4) * 1e-3);
  cases.push(['clustered spectrum 60', withSpectrum(randomOrthogonal(60, 32), wide), 60]);
  const base = withSpectrum(randomOrthogonal(12, 33), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  cases.push(['scaled by 2^400', base.map((x) => x * 2 ** 400), 12]);
  cases.push(['scaled by 2^-400', base.map((x) => x * 2 ** -400), 12]);
  for (const [label, a, n] of cases) {
    const copy = a.slice();
    const got = nr.eigh(a, n);
    const want = eighSymmetric(a, n);
    assert.deepEqual(a, copy, `${label}: input modified`);
    const scale = Math.max(1e-300, maxAbs(want.values));
    assert.ok(maxAbsDiff(got.values, want.values) <= 1e-10 * scale, `${label}: values differ by ${maxAbsDiff(got.values, want.values)}`);
    assert.ok(maxAbsDiff(got.vectors, want.vectors) <= 1e-10, `${label}: vectors differ by ${maxAbsDiff(got.vectors, want.vectors)}`);
    assertSignConvention(got.vectors, n, label);
  }
});

test('eigh: repeated eigenvalues, diagonal and empty inputs keep the conventions', { skip }, () => {
  const { routed: nr } = native();
  // A 3-fold and a 2-fold eigenvalue: the eigenvectors are not unique, so check the eigen-equations.
  const n = 8;
  const a = withSpectrum(randomOrthogonal(n, 41), [-1, -1, -1, 0.5, 2, 2, 3, 4]);
  const { values, vectors } = nr.eigh(a, n);
  assert.ok(maxAbsDiff(values, Float64Array.of(-1, -1, -1, 0.5, 2, 2, 3, 4)) <= 1e-14);
  assertEigenpairs(a, n, values, vectors, 1e-13, 'repeated');
  assertSignConvention(vectors, n, 'repeated');
  // Diagonal: sorted values, unit vectors (exactly, signs included).
  const d = nr.eigh(Float64Array.of(3, 99, 99, 0, 1, 99, 0, 0, 2), 3);
  assert.deepEqual(d.values, Float64Array.of(1, 2, 3));
  assert.deepEqual(d.vectors, Float64Array.of(0, 0, 1, 1, 0, 0, 0, 1, 0));
  // Exact tie in magnitude: [[2, ·], [1, 2]] has eigenvectors (1, −1)/√2 and (1, 1)/√2; the first
  // component wins the tie, so it is the positive one.
  const t = nr.eigh(Float64Array.of(2, -50, 1, 2), 2);
  assert.ok(maxAbsDiff(t.values, Float64Array.of(1, 3)) <= 1e-15, `values ${t.values}`);
  assert.ok(t.vectors[0]! > 0 && t.vectors[2] === -t.vectors[0]!, `tied eigenvector (${t.vectors[0]}, ${t.vectors[2]})`);
  assert.deepEqual(t.vectors, eighSymmetric(Float64Array.of(2, -50, 1, 2), 2).vectors);
  const empty = nr.eigh(new Float64Array(0), 0);
  assert.equal(empty.values.length, 0);
  assert.equal(empty.vectors.length, 0);
});

test('bad arguments throw clear errors, never read out of bounds', { skip }, () => {
  const { raw: nat } = native();
  const addon = loadNativeAddon();
  const f64 = (n: number): Float64Array => new Float64Array(n);
  const args: GemmArgs = { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  assert.throws(() => nat.gemm(f64(3), f64(4), f64(4), args), /gemm_f64: a has length 3, needs at least 4 \(batch=1, m=2, k=2, aBatchStride=0\)/);
  assert.throws(() => nat.gemm(f64(4), f64(3), f64(4), args), /gemm_f64: b has length 3, needs at least 4/);
  assert.throws(() => nat.gemm(f64(4), f64(4), f64(3), args), /gemm_f64: c has length 3, needs at least 4/);
  assert.throws(() => nat.gemm(f64(4), f64(4), f64(8), { ...args, batch: 2, aBatchStride: 4 }), /gemm_f64: a has length 4, needs at least 8/);
  assert.throws(() => nat.gemm(new Float32Array(4), new Float32Array(3), new Float32Array(4), args), /gemm_f32: b has length 3/);
  assert.throws(() => addon.gemm_f64(new Float32Array(4), f64(4), f64(4), 1, 2, 2, 2, 0, 0, 0, 0), /gemm_f64: a must be a Float64Array, got a Float32Array/);
  assert.throws(() => addon.gemm_f64([1, 2, 3, 4] as unknown as Float64Array, f64(4), f64(4), 1, 2, 2, 2, 0, 0, 0, 0), /gemm_f64: a must be a Float64Array/);
  assert.throws(() => addon.gemm_f64(f64(4), f64(4), f64(4), 1, -2, 2, 2, 0, 0, 0, 0), /gemm_f64: m must be an integer in \[0, 2147483647\], got -2/);
  assert.throws(() => addon.gemm_f64(f64(4), f64(4), f64(4), 1, 1.5, 2, 2, 0, 0, 0, 0), /m must be an integer/);
  assert.throws(() => addon.gemm_f64(f64(4), f64(4), f64(4), 1, 2, 2, 2, 0, 0, 0, Number.NaN), /bBatchStride must be an integer/);
  assert.throws(() => (addon.gemm_f64 as unknown as (...x: unknown[]) => void)(f64(4), f64(4), f64(4), 1, 2), /expected 11 arguments/);
  // Huge sizes saturate in the length checks instead of wrapping around.
  assert.throws(() => addon.gemm_f64(f64(4), f64(4), f64(4), 2 ** 40, 2, 2, 2, 0, 0, 2 ** 40, 0), /c has length 4/);

  assert.throws(() => nat.qr(f64(5), 3, 2), /qr_f64: a has length 5, expected 6 \(m=3, n=2\)/);
  assert.throws(() => nat.qr(f64(6), 2, 3), /qr_f64: thin QR needs m ≥ n, got m=2, n=3/);
  assert.throws(() => nat.qr(Float64Array.of(1, 2, Number.NaN, 4, 5, 6), 3, 2), /qr_f64: a contains a non-finite value \(NaN\) at index 2/);
  assert.throws(() => nat.eigh(f64(5), 2), /eigh_f64: a has length 5, expected 4 \(n=2\)/);
  // dense.ts rejects a non-finite value anywhere, the unread upper triangle included; so does native.
  assert.throws(() => nat.eigh(Float64Array.of(1, -Infinity, 0, 1), 2), /eigh_f64: a contains a non-finite value \(-Infinity\) at index 1/);

  const g = patchGeometry(1, 2, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1);
  const colsSize = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
  assert.throws(() => nat.im2col(f64(49), f64(colsSize), g, 0), /im2col: x has length 49, needs at least 50/);
  assert.throws(() => nat.im2col(f64(50), f64(colsSize - 1), g, 0), /im2col: out has length \d+, needs at least \d+/);
  assert.throws(() => nat.col2im(f64(colsSize), f64(10), g), /col2im: out has length 10, needs at least 50/);
  assert.throws(() => nat.im2col(f64(50), f64(colsSize), { ...g, strideW: 0 }, 0), /im2col: strides must be at least 1/);

  assert.throws(() => addon.set_threads(0), /set_threads: threads must be at least 1/);
  assert.throws(() => setNativeThreads(1.5), /positive integer/);
});

test('threads: set/get round trip; a multi-threaded product matches the 1-thread one', { skip }, () => {
  const { raw: nat } = native();
  const before = nativeThreads();
  try {
    const rand = lcg(99);
    const [m, n, k] = [300, 200, 700];
    const a = randomArray('float64', m * k, rand),
      b = randomArray('float64', k * n, rand);
    const args: GemmArgs = { batch: 1, m, n, k, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
    setNativeThreads(1);
    assert.equal(nativeThreads(), 1);
    const one = runGemm(nat, a, b, 'float64', args);
    setNativeThreads(2);
    assert.equal(nativeThreads(), 2);
    assert.equal(nativeInfo().threads, 2);
    const two = runGemm(nat, a, b, 'float64', args);
    assertGemmClose(two, one, runGemm(jsKernels, a.map(Math.abs), b.map(Math.abs), 'float64', args), 1e-13, '2 threads');
  } finally {
    setNativeThreads(before);
  }
  assert.equal(nativeThreads(), before);
  const info = nativeInfo();
  assert.match(info.blas, /OpenBLAS/);
  assert.ok(info.corename.length > 0);
  assert.ok(info.procs >= 1);
});

test('automatic threads: one for a mid-size product or a small eigh/SVD, every core for a big one; a forced count stays', {
  skip: skip || (availableParallelism() < 2 && 'one core'),
}, () => {
  const { routed: nr } = native();
  const cores = availableParallelism();
  const product = (n: number): void => {
    const a = new Float64Array(n * n).fill(0.5);
    nr.gemm(a, a, new Float64Array(n * n), { batch: 1, m: n, n, k: n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
  };
  try {
    setNativeThreads('auto');
    assert.match(nativeThreadPolicy(), /automatic/);
    product(256); // 256³ < THREAD_MIN_MACS
    assert.equal(nativeThreads(), 1);
    product(Math.ceil(Math.cbrt(THREAD_MIN_MACS)));
    assert.equal(nativeThreads(), cores);
    nr.eigh(Float64Array.of(2, 1, 1, 2), 2); // small eigh: one thread
    assert.equal(nativeThreads(), 1);
    const big = new Float64Array(EIGH_THREAD_MIN_N * EIGH_THREAD_MIN_N).map((_, i) => (i % (EIGH_THREAD_MIN_N + 1) === 0 ? 2 : 0));
    nr.eigh(big, EIGH_THREAD_MIN_N);
    assert.equal(nativeThreads(), cores);
    nr.svd(
      new Float64Array(256 * 256).map((_, i) => (i % 257 === 0 ? 2 : 0)),
      256,
      256,
    ); // 256³ MACs, but n < 512: one
    assert.equal(nativeThreads(), 1);
    nr.svd(big, EIGH_THREAD_MIN_N, EIGH_THREAD_MIN_N);
    assert.equal(nativeThreads(), cores);
    product(48); // ≤ 64³: OpenBLAS runs it on one thread itself, and the setting is left alone
    assert.equal(nativeThreads(), cores);
    setNativeThreads(1);
    product(512);
    assert.equal(nativeThreads(), 1);
    assert.match(nativeThreadPolicy(), /1 for every call/);
  } finally {
    setNativeThreads('auto');
  }
});

test('TRAINSCOPE_THREADS sets the thread count at load (default: every core) and leaves no OPENBLAS_NUM_THREADS behind', { skip }, () => {
  const cores = availableParallelism();
  const probe =
    "import('./src/kernels/native.ts').then((m) => { m.loadNativeKernels(); " +
    'console.log(JSON.stringify({ threads: m.nativeInfo().maxThreads, env: process.env.OPENBLAS_NUM_THREADS ?? null })); })';
  for (const [value, want] of [
    [undefined, cores],
    ['1', 1],
    ['2', 2],
    ['lots', cores],
  ] as const) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['OPENBLAS_NUM_THREADS'];
    delete env['GOTO_NUM_THREADS'];
    delete env['OMP_NUM_THREADS'];
    delete env['TRAINSCOPE_THREADS'];
    if (value !== undefined) env['TRAINSCOPE_THREADS'] = value;
    const r = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '-e', probe], { cwd: ROOT, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { threads: want, env: null }, `TRAINSCOPE_THREADS=${value}`);
    if (value === 'lots') assert.match(r.stderr, /TRAINSCOPE_THREADS=lots is not a positive integer/);
  }
});

// ---------------------------------------------------------------------------------------------
// Fused optimizer loops: bit-identical to the js loops of optim/fused.ts.

const FUSED_LENGTHS = [0, 1, 3, 17, 1000, 100003];

/** A scalar as fused.ts's scalarAs converts it (not exported there): −0 → +0, fround for float32. */
function scalarAs(s: number, dtype: DType): number {
  if (s === 0) return 0;
  return dtype === 'float32' ? Math.fround(s) : s;
}

/** Values the loops must get exactly right: signed zeros, subnormals of both types, extremes, ±Inf, NaN. */
const SPECIALS = [
  0,
  -0,
  Infinity,
  -Infinity,
  Number.NaN,
  1,
  -1,
  1e-45,
  -1.4e-45,
  1e-40,
  -3e-39,
  1.1754942e-38,
  1e-30,
  1e-310,
  -5e-324,
  2.2250738585072e-308,
  1e38,
  -3.4e38,
  3.4028235e38,
  1e300,
  -1.7976931348623157e308,
  1e19,
  1e-20,
];

/**
 * Mostly long-mantissa values spread over ±30 decades (both sign) — and, for `nonNegative`
 * (Adam's v), mostly ≥ 0 — with one in five a SPECIALS entry.
 */
function fusedData(dtype: DType, size: number, rand: () => number, nonNegative = false): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const pick = rand();
    if (pick < -0.6) out[i] = SPECIALS[Math.floor((rand() + 1) * 0.5 * SPECIALS.length)]!;
    else {
      const x = rand() * 10 ** Math.round(rand() * 30);
      out[i] = nonNegative && pick < 0.9 ? Math.abs(x) : x;
    }
  }
  return out;
}

/** Bit-identical element for element, except that any NaN matches any NaN (payloads may differ). */
function assertSameBits(got: FloatArray, want: FloatArray, label: string): void {
  assert.equal(got.constructor, want.constructor, `${label}: array type`);
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!,
      g = got[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !Object.is(g, w)) assert.fail(`${label}: [${i}] = ${g}, js gives ${w}`);
  }
}

function assertUnchanged(x: FloatArray, copy: FloatArray, label: string): void {
  assert.deepEqual(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), new Uint8Array(copy.buffer), `${label} was written`);
}

/** An output array prefilled with NaN: every element must be written. */
function fresh(like: FloatArray): FloatArray {
  return (like instanceof Float32Array ? new Float32Array(like.length) : new Float64Array(like.length)).fill(Number.NaN);
}

/** Raw (b1, b2, c1, c2, eps) for fusedAdamLeaf: a normal early and late step, and odd ones. */
const ADAM_CASES: Array<[string, number, number, number, number, number]> = [
  ['step 1', 0.9, 0.999, 1 / (1 - 0.9), 1 / (1 - 0.999), 1e-8],
  ['step 1000', 0.9, 0.999, 1 / (1 - 0.9 ** 1000), 1 / (1 - 0.999 ** 1000), 1e-8],
  ['β=0, ε=0', 0, 0, 1, 1, 0],
  ['β₁=−0, β₂=1, tiny ε', -0, 1, 1e30, 3.3e-39, 1e-45],
  ['inexact in float32', 0.123456789, 0.987654321, 1.000000123, 7.77777777, 3.14159e-7],
];

for (const dtype of ['float32', 'float64'] as const) {
  test(`adam ${dtype}: bit-identical to fusedAdamLeaf (specials, subnormals, ±0, ±Inf; lengths 0…100003)`, { skip }, () => {
    const { raw: nat } = native();
    const rand = lcg(dtype === 'float32' ? 2024 : 4202);
    for (const n of FUSED_LENGTHS) {
      const g = fusedData(dtype, n, rand),
        m = fusedData(dtype, n, rand),
        v = fusedData(dtype, n, rand, true);
      const copies = [g.slice(), m.slice(), v.slice()];
      for (const [name, b1, b2, c1, c2, eps] of ADAM_CASES) {
        const label = `adam ${dtype} n=${n} ${name}`;
        const want = fusedAdamLeaf(g, m, v, b1, b2, c1, c2, eps);
        const s: AdamScalars = {
          b1: scalarAs(b1, dtype),
          ob1: scalarAs(1 - b1, dtype),
          b2: scalarAs(b2, dtype),
          ob2: scalarAs(1 - b2, dtype),
          c1: scalarAs(c1, dtype),
          c2: scalarAs(c2, dtype),
          eps: scalarAs(eps, dtype),
        };
        const mOut = fresh(g),
          vOut = fresh(g),
          uOut = fresh(g);
        nat.adam(g, m, v, mOut, vOut, uOut, s);
        assertSameBits(mOut, want.m, `${label} mOut`);
        assertSameBits(vOut, want.v, `${label} vOut`);
        assertSameBits(uOut, want.u, `${label} uOut`);
      }
      assertUnchanged(g, copies[0]!, 'g');
      assertUnchanged(m, copies[1]!, 'm');
      assertUnchanged(v, copies[2]!, 'v');
    }
  });

  test(`scale and add ${dtype}: bit-identical to fusedScaleLeaf / fusedAddLeaf`, { skip }, () => {
    const { raw: nat } = native();
    const rand = lcg(dtype === 'float32' ? 77 : 78);
    for (const n of FUSED_LENGTHS) {
      const x = fusedData(dtype, n, rand),
        y = fusedData(dtype, n, rand);
      const copies = [x.slice(), y.slice()];
      for (const s of [-0.001, 0.5, -0, 1e30, 3.3e-39, 0.1, Infinity, Number.NaN]) {
        const out = fresh(x);
        nat.scale(x, out, scalarAs(s, dtype));
        assertSameBits(out, fusedScaleLeaf(x, s), `scale ${dtype} n=${n} s=${s}`);
      }
      const out = fresh(x);
      nat.add(x, y, out);
      assertSameBits(out, fusedAddLeaf(x, y), `add ${dtype} n=${n}`);
      const twice = fresh(x);
      nat.add(x, x, twice); // inputs may alias each other: they are only read
      assertSameBits(twice, fusedAddLeaf(x, x), `add ${dtype} n=${n} (x + x)`);
      assertUnchanged(x, copies[0]!, 'x');
      assertUnchanged(y, copies[1]!, 'y');
    }
  });
}

test('fused loops: views at odd offsets of shared buffers (unaligned for SIMD) give the same bits', { skip }, () => {
  const { raw: nat } = native();
  const rand = lcg(5);
  for (const dtype of ['float32', 'float64'] as const) {
    const n = 1001;
    const pool = fusedData(dtype, 7 * n + 7, rand);
    const view = (k: number): FloatArray => pool.subarray(k * n + k + 1, (k + 1) * n + k + 1);
    const [g, m, v, mOut, vOut, uOut, out] = [0, 1, 2, 3, 4, 5, 6].map(view) as [
      FloatArray,
      FloatArray,
      FloatArray,
      FloatArray,
      FloatArray,
      FloatArray,
      FloatArray,
    ];
    const want = fusedAdamLeaf(g, m, v, 0.9, 0.99, 3, 2, 1e-6);
    const r = (x: number): number => scalarAs(x, dtype);
    nat.adam(g, m, v, mOut, vOut, uOut, { b1: r(0.9), ob1: r(1 - 0.9), b2: r(0.99), ob2: r(1 - 0.99), c1: r(3), c2: r(2), eps: r(1e-6) });
    assertSameBits(mOut, want.m, `${dtype} mOut view`);
    assertSameBits(vOut, want.v, `${dtype} vOut view`);
    assertSameBits(uOut, want.u, `${dtype} uOut view`);
    nat.scale(g, out, r(-0.3));
    assertSameBits(out, fusedScaleLeaf(g, -0.3), `${dtype} scale view`);
    nat.add(m, v, out);
    assertSameBits(out, fusedAddLeaf(m, v), `${dtype} add view`);
  }
});

test('fused loops: mixed types, lengths, non-float arrays, shared output memory and bad scalars throw clear errors', { skip }, () => {
  const { raw: nat } = native();
  const addon = loadNativeAddon();
  const f64 = (n: number): Float64Array => new Float64Array(n);
  const f32 = (n: number): Float32Array => new Float32Array(n);
  const s: AdamScalars = { b1: 0.9, ob1: 0.1, b2: 0.999, ob2: 0.001, c1: 1, c2: 1, eps: 1e-8 };
  assert.throws(
    () => nat.adam(f32(4), f64(4), f32(4), f32(4), f32(4), f32(4), s),
    /adam: every operand must have one array type: g is a Float32Array, m a Float64Array/,
  );
  assert.throws(
    () => nat.adam(f64(4), f64(4), f64(4), f64(4), f64(4), f32(4), s),
    /adam: every operand must have one array type: g is a Float64Array, uOut a Float32Array/,
  );
  assert.throws(() => nat.adam(f64(4), f64(4), f64(4), f64(4), f64(3), f64(4), s), /adam: vOut has length 3, g has length 4/);
  assert.throws(() => nat.scale(f32(4), f64(4), 2), /scale: every operand must have one array type: x is a Float32Array, out a Float64Array/);
  assert.throws(() => nat.add(f64(4), f64(5), f64(4)), /add: b has length 5, a has length 4/);
  assert.throws(() => nat.add(new Int32Array(4) as unknown as Float64Array, f64(4), f64(4)), /add: a must be a Float32Array or Float64Array/);
  assert.throws(
    () => nat.add(f64(4), new Int32Array(4) as unknown as Float64Array, f64(4)),
    /add: every operand must have one array type: a is a Float64Array, b a Int32Array/,
  );
  assert.throws(() => nat.add([1, 2] as unknown as Float64Array, f64(2), f64(2)), /add: a must be a Float32Array or Float64Array/);
  assert.throws(() => nat.add(f64(2), f64(2), {} as unknown as Float64Array), /add: out must be a Float64Array like a/);
  // Outputs must not share memory with any operand (the loops assume no aliasing).
  const buf = f64(8);
  assert.throws(() => nat.add(buf.subarray(0, 4), f64(4), buf.subarray(2, 6)), /add: output out shares memory with a/);
  const x = f32(4);
  assert.throws(() => nat.scale(x, x, 2), /scale: output out shares memory with x/);
  const o = f64(4);
  assert.throws(() => nat.adam(f64(4), f64(4), f64(4), o, o, f64(4), s), /adam: output mOut shares memory with vOut/);
  // Adjacent but disjoint views are fine.
  nat.add(buf.subarray(0, 4), buf.subarray(0, 4), buf.subarray(4, 8));
  // Empty operands: nothing to do, but still checked.
  nat.adam(f32(0), f32(0), f32(0), f32(0), f32(0), f32(0), s);
  assert.throws(() => nat.add(f32(0), f64(0), f32(0)), /add: every operand must have one array type/);
  // The raw entry points: argument count and scalar types.
  const call = (fn: unknown, ...args: unknown[]): unknown => (fn as (...a: unknown[]) => unknown)(...args);
  assert.throws(
    () => call(addon.adam, f64(2), f64(2), f64(2), f64(2), f64(2), f64(2), 0.9),
    /adam: expected 13 arguments \(g, m, v, mOut, vOut, uOut, b1, ob1, b2, ob2, c1, c2, eps\), got 7/,
  );
  assert.throws(() => call(addon.adam, f64(2), f64(2), f64(2), f64(2), f64(2), f64(2), 0.9, 0.1, 0.9, 0.1, 1, 1, '1e-8'), /adam: eps must be a number/);
  assert.throws(() => call(addon.scale, f64(2), f64(2), 2n), /scale: s must be a number/);
  assert.throws(() => call(addon.add, f64(2), f64(2)), /add: expected 3 arguments \(a, b, out\), got 2/);
});

// ---------------------------------------------------------------------------------------------
// Elementwise binary ops: bit-identical to the BINARY_OPS expressions (src/tensor/primitives.ts).

/** The js loop of primitives.ts: computed in double, stored (so rounded once) into the output's type. */
function binaryRef(op: BinaryOp, x: FloatArray, y: FloatArray): FloatArray {
  const nx = x.length,
    ny = y.length,
    n = Math.max(nx, ny);
  const out = x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const f = BINARY_REFERENCE[op];
  for (let i = 0; i < n; i++) out[i] = f(x[i % nx]!, y[i % ny]!);
  return out;
}

/**
 * fusedData's mix (specials, subnormals, long mantissas over ±30 decades), and for `partner` one in
 * four elements tied to it: equal, negated or the other signed zero (the max/min tie rules).
 */
function binaryData(dtype: DType, size: number, rand: () => number, partner?: FloatArray): FloatArray {
  const out = fusedData(dtype, size, rand);
  if (partner) {
    for (let i = 0; i < size; i++) {
      const pick = rand();
      const p = partner[i % partner.length]!;
      if (pick < -0.75) out[i] = p;
      else if (pick < -0.6) out[i] = -p;
      else if (pick < -0.5) out[i] = Object.is(p, 0) ? -0 : Object.is(p, -0) ? 0 : out[i]!;
    }
  }
  return out;
}

/** [nx, ny]: empty, unit, odd, past the vector widths; same, scalar, and bias forms both ways. */
const BINARY_SHAPES: Array<[string, number, number]> = [
  ['same', 0, 0],
  ['same', 1, 1],
  ['same', 7, 7],
  ['same', 4099, 4099],
  ['scalar right', 7, 1],
  ['scalar right', 4099, 1],
  ['scalar left', 1, 7],
  ['scalar left', 1, 4099],
  ['block right', 160, 20],
  ['block right', 21, 7],
  ['block right', 4098, 2],
  ['block right', 4101, 3],
  ['block right', 3 * 4099, 4099],
  ['block left', 20, 160],
  ['block left', 7, 21],
  ['block left', 2, 4098],
  ['block left', 3, 4101],
  ['block left', 4099, 3 * 4099],
];

/** Scalars the scalar forms must get right on either side (maskPositive(s, y) is y or +0 wholesale). */
const BINARY_SCALARS = [0, -0, Number.NaN, Infinity, -Infinity, 1, -1, 1e-40, -5e-324, 2.5, 3.4028235e38, 1e-20];

for (const dtype of ['float32', 'float64'] as const) {
  test(`binary ${dtype}: every op and form bit-identical to the js expressions (specials, ties, lengths 0…12297)`, { skip }, () => {
    const { raw: nat } = native();
    const rand = lcg(dtype === 'float32' ? 31 : 32);
    const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
    for (const [form, nx, ny] of BINARY_SHAPES) {
      const long = binaryData(dtype, Math.max(nx, ny), rand);
      const pairs: Array<[FloatArray, FloatArray]> = [];
      if (form.startsWith('scalar')) {
        for (const s of BINARY_SCALARS) {
          const sc = Ctor.of(s);
          pairs.push(nx === 1 ? [sc, long] : [long, sc]);
        }
      } else {
        const short = binaryData(dtype, Math.min(nx, ny), rand, long);
        const tied = binaryData(dtype, Math.max(nx, ny), rand, short); // the long side tied to the repeating short one
        pairs.push(nx >= ny ? [long, short] : [short, long], nx >= ny ? [tied, short] : [short, tied]);
      }
      for (const [x, y] of pairs) {
        const copies = [x.slice(), y.slice()];
        for (const op of BINARY_OPS) {
          const label = `binary ${op} ${dtype} ${form} nx=${nx} ny=${ny}${nx === 1 && ny > 1 ? ` x=${x[0]}` : ny === 1 && nx > 1 ? ` y=${y[0]}` : ''}`;
          const out = fresh(nx >= ny ? x : y);
          nat.binary(op, x, y, out);
          assertSameBits(out, binaryRef(op, x, y), label);
        }
        assertUnchanged(x, copies[0]!, 'x');
        assertUnchanged(y, copies[1]!, 'y');
      }
    }
  });

  test(`binary ${dtype}: x and y may be one array (relu is maskPositive(x, x)) or views at odd offsets`, { skip }, () => {
    const { raw: nat } = native();
    const rand = lcg(dtype === 'float32' ? 41 : 42);
    const n = 1001;
    const x = binaryData(dtype, n, rand);
    for (const op of BINARY_OPS) {
      const out = fresh(x);
      nat.binary(op, x, x, out);
      assertSameBits(out, binaryRef(op, x, x), `binary ${op} ${dtype} (x, x)`);
    }
    // Unaligned views of one buffer: x, y and a bias overlap each other (inputs may), out is disjoint.
    const pool = binaryData(dtype, 3 * n + 64, rand);
    const a = pool.subarray(1, n + 1),
      b = pool.subarray(n - 2, 2 * n - 2),
      bias = pool.subarray(3, 3 + 77);
    const outPool = (dtype === 'float32' ? new Float32Array(n + 3) : new Float64Array(n + 3)).fill(Number.NaN);
    const out = outPool.subarray(3, n + 3);
    const big = pool.subarray(5, 5 + 77 * 13);
    const out2 = outPool.subarray(1, 1 + 77 * 13);
    for (const op of BINARY_OPS) {
      nat.binary(op, a, b, out);
      assertSameBits(out, binaryRef(op, a, b), `binary ${op} ${dtype} views`);
      nat.binary(op, big, bias, out2);
      assertSameBits(out2, binaryRef(op, big, bias), `binary ${op} ${dtype} bias views`);
      nat.binary(op, bias, big, out2);
      assertSameBits(out2, binaryRef(op, bias, big), `binary ${op} ${dtype} bias-left views`);
    }
  });
}

test('binary: unknown ops, mixed types, lengths that do not fit and out overlapping an input throw clear errors', { skip }, () => {
  const { raw: nat } = native();
  const addon = loadNativeAddon();
  const f64 = (n: number): Float64Array => new Float64Array(n);
  const f32 = (n: number): Float32Array => new Float32Array(n);
  assert.throws(
    () => nat.binary('pow' as BinaryOp, f64(2), f64(2), f64(2)),
    /native binary: unknown op 'pow' \(expected one of add, sub, mul, div, maximum, minimum, maskPositive\)/,
  );
  assert.throws(() => addon.binary(7, f64(2), f64(2), f64(2)), /binary: op must be an integer in \[0, 6\], got 7/);
  assert.throws(() => addon.binary(-1, f64(2), f64(2), f64(2)), /binary: op must be an integer in \[0, 6\], got -1/);
  assert.throws(() => addon.binary(0.5, f64(2), f64(2), f64(2)), /binary: op must be an integer/);
  assert.throws(() => (addon.binary as unknown as (...a: unknown[]) => void)('add', f64(2), f64(2), f64(2)), /binary: op must be a number/);
  assert.throws(() => (addon.binary as unknown as (...a: unknown[]) => void)(0, f64(2), f64(2)), /binary: expected 4 arguments \(op, x, y, out\), got 3/);
  assert.throws(() => nat.binary('add', f32(4), f64(4), f32(4)), /binary: every operand must have one array type: x is a Float32Array, y a Float64Array/);
  assert.throws(() => nat.binary('mul', f64(4), f64(4), f32(4)), /binary: every operand must have one array type: x is a Float64Array, out a Float32Array/);
  assert.throws(() => nat.binary('add', f64(1), f32(4), f32(4)), /binary: every operand must have one array type: x is a Float64Array, y a Float32Array/);
  assert.throws(() => nat.binary('add', new Int32Array(4) as unknown as Float64Array, f64(4), f64(4)), /binary: x must be a Float32Array or Float64Array/);
  assert.throws(() => nat.binary('add', [1, 2] as unknown as Float64Array, f64(2), f64(2)), /binary: x must be a Float32Array or Float64Array/);
  assert.throws(() => nat.binary('add', f64(2), {} as unknown as Float64Array, f64(2)), /binary: y must be a Float64Array like x/);
  assert.throws(
    () => nat.binary('add', f64(2), f64(2), new Uint8Array(2) as unknown as Float64Array),
    /binary: every operand must have one array type: x is a Float64Array, out a Uint8Array/,
  );
  // Lengths: neither divides the other, out not the longer length, or an empty operand against a non-empty one.
  const fit = /do not fit \(equal, or the shorter divides the longer and out has the longer\)/;
  assert.throws(() => nat.binary('add', f64(5), f64(3), f64(5)), /binary add: lengths x 5, y 3, out 5 do not fit/);
  assert.throws(() => nat.binary('maskPositive', f64(3), f64(5), f64(5)), /binary maskPositive: lengths x 3, y 5, out 5 do not fit/);
  assert.throws(() => nat.binary('sub', f64(4), f64(4), f64(3)), /binary sub: lengths x 4, y 4, out 3/);
  assert.throws(() => nat.binary('sub', f64(8), f64(4), f64(4)), fit);
  assert.throws(() => nat.binary('sub', f64(4), f64(8), f64(16)), fit);
  assert.throws(() => nat.binary('add', f32(0), f32(4), f32(4)), /binary add: lengths x 0, y 4, out 4/);
  assert.throws(() => nat.binary('add', f32(4), f32(0), f32(4)), /binary add: lengths x 4, y 0, out 4/);
  assert.throws(() => nat.binary('add', f32(4), f32(0), f32(0)), fit);
  // out may not overlap x or y (the loops assume no aliasing); adjacent views are fine.
  const buf = f64(12);
  assert.throws(() => nat.binary('add', buf.subarray(0, 4), f64(4), buf.subarray(3, 7)), /binary: output out shares memory with x/);
  assert.throws(() => nat.binary('add', f64(4), buf.subarray(0, 4), buf.subarray(2, 6)), /binary: output out shares memory with y/);
  const x = f32(8);
  assert.throws(() => nat.binary('maskPositive', x, x, x), /binary: output out shares memory with x/);
  assert.throws(() => nat.binary('add', buf.subarray(0, 8), buf.subarray(7, 8), buf.subarray(4, 12)), /binary: output out shares memory with x/);
  assert.throws(() => nat.binary('add', f64(8), buf.subarray(7, 8), buf.subarray(4, 12)), /binary: output out shares memory with y/);
  nat.binary('add', buf.subarray(0, 4), buf.subarray(0, 4), buf.subarray(4, 8));
  nat.binary('add', buf.subarray(0, 4), buf.subarray(3, 4), buf.subarray(4, 8));
  // Empty operands: nothing to do, but still checked.
  nat.binary('div', f64(0), f64(0), f64(0));
  assert.throws(() => nat.binary('div', f64(0), f32(0), f64(0)), /binary: every operand must have one array type/);
});

/** G·Gᵀ/n + shift·I (G uniform in [−1, 1)) with 1e3-scale garbage in the strict upper triangle. */
function randomSpd(n: number, seed: number, shift = 0.2): Float64Array {
  const g = randomF64(n * n, seed);
  const junk = randomF64(n * n, seed + 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j > i) {
        a[i * n + j] = 1e3 * junk[i * n + j]!;
        continue;
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += g[i * n + k]! * g[j * n + k]!;
      a[i * n + j] = s / n + (i === j ? shift : 0);
    }
  }
  return a;
}

/**
 * A well-conditioned triangular T (`lower` or upper): diagonal ±[1, 2], off-diagonal entries of
 * size ≤ 1/n, 1e6-scale garbage in the other triangle, and a zero diagonal when `unit` (which
 * must then not be read either).
 */
function randomTriangular(n: number, lower: boolean, unit: boolean, seed: number): Float64Array {
  const r = randomF64(n * n, seed);
  return r.map((v, idx) => {
    const i = Math.floor(idx / n),
      j = idx % n;
    if (i === j) return unit ? 0 : (v < 0 ? -1 : 1) * (1 + Math.abs(v));
    return j < i === lower ? v / n : 1e6 * v;
  });
}

type TriOpts = { lower: boolean; transpose: boolean; unitDiagonal?: boolean };
const TRI_COMBOS: TriOpts[] = [];
for (const lower of [true, false])
  for (const transpose of [false, true]) for (const unitDiagonal of [false, true]) TRI_COMBOS.push({ lower, transpose, unitDiagonal });
const triLabel = (o: TriOpts): string => `lower=${o.lower} transpose=${o.transpose} unit=${o.unitDiagonal}`;

test('cholesky: matches dense.ts on random SPD matrices (n = 1, 2, 5, 64, 300), reading only the lower triangle', { skip }, () => {
  const { routed: nr } = native();
  for (const n of [1, 2, 5, 64, 65, 300]) {
    const a = randomSpd(n, 1100 + n);
    const copy = a.slice();
    const got = nr.cholesky(a, n);
    const want = denseCholesky(a, n);
    assert.deepEqual(a, copy, `n=${n}: input modified`);
    assert.ok(maxAbsDiff(got, want) <= 1e-12 * maxAbs(want), `n=${n}: L differs from dense.ts by ${maxAbsDiff(got, want)}`);
    for (let i = 0; i < n; i++) {
      assert.ok(got[i * n + i]! > 0, `n=${n}: diag(L)[${i}] = ${got[i * n + i]}`);
      for (let j = i + 1; j < n; j++) assert.ok(Object.is(got[i * n + j], 0), `n=${n}: L[${i}][${j}] = ${got[i * n + j]} (strict upper triangle must be 0)`);
    }
  }
  assert.equal(nr.cholesky(new Float64Array(0), 0).length, 0);
  assert.deepEqual(nr.cholesky(Float64Array.of(9), 1), Float64Array.of(3));
  // A view at an offset into a larger buffer is read in place.
  const big = new Float64Array(20);
  big.set(Float64Array.of(4, 99, 2, 5), 7);
  assert.deepEqual(nr.cholesky(big.subarray(7, 11), 2), denseCholesky(Float64Array.of(4, 99, 2, 5), 2));
});

test("cholesky: a matrix that is not positive definite throws with dense.ts's prefix and pivot", { skip }, () => {
  const { routed: nr } = native();
  const cases: Array<[string, Float64Array, number]> = [
    ['negative 1×1', Float64Array.of(-1), 1],
    ['zero matrix', new Float64Array(9), 3],
    ['indefinite 2×2', Float64Array.of(1, 99, 2, 1), 2],
    ['semidefinite 3×3', Float64Array.of(1, 0, 0, 1, 1, 0, 1, 1, 1), 3],
    ['overflowing sum', Float64Array.of(1e-300, 0, 1e300, 1), 2],
  ];
  for (const n of [5, 64, 300]) {
    for (const at of [0, Math.floor(n / 2), n - 1]) {
      const a = randomSpd(n, 1200 + n + at);
      a[at * n + at]! -= 10;
      cases.push([`n=${n}, pivot ${at}`, a, n]);
    }
  }
  for (const [label, a, n] of cases) {
    let want = '';
    assert.throws(
      () => denseCholesky(a, n),
      (e: Error) => ((want = e.message), true),
      `${label}: dense.ts throws`,
    );
    const m = /^cholesky: matrix is not positive definite \(pivot (\d+) is (.*), n=(\d+)\)$/.exec(want);
    assert.ok(m, `${label}: dense.ts message ${want}`);
    const [, pivot, value] = m;
    // The same pivot and n; the pivot's value as LAPACK summed it (equal to rounding).
    const re = new RegExp(`^cholesky: matrix is not positive definite \\(pivot ${pivot} is (\\S+), n=${n}\\)$`);
    assert.throws(
      () => nr.cholesky(a, n),
      (e: Error) => {
        const got = re.exec(e.message);
        assert.ok(got, `${label}: native threw "${e.message}", dense.ts "${want}"`);
        const v = Number(got[1]),
          w = Number(value);
        assert.ok(v === w || Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${label}: pivot value ${got[1]} vs dense.ts ${value}`);
        return true;
      },
    );
  }
});

test('solveTriangular: every (lower, transpose, unitDiagonal) matches dense.ts (n = 1, 2, 5, 64, 300; nrhs = 1, 3, 300)', { skip }, () => {
  const { routed: nr } = native();
  let seed = 1300;
  for (const n of [1, 2, 5, 64, 300]) {
    for (const opts of TRI_COMBOS) {
      const t = randomTriangular(n, opts.lower, opts.unitDiagonal!, seed++);
      for (const nrhs of [1, 3, 300]) {
        const b = randomF64(n * nrhs, seed++);
        const tCopy = t.slice(),
          bCopy = b.slice();
        const got = nr.solveTriangular(t, b, n, nrhs, opts);
        const want = denseSolveTriangular(t, b, n, nrhs, opts);
        const label = `n=${n} nrhs=${nrhs} ${triLabel(opts)}`;
        assert.deepEqual(t, tCopy, `${label}: t modified`);
        assert.deepEqual(b, bCopy, `${label}: b modified`);
        assert.equal(got.length, n * nrhs);
        assert.ok(maxAbsDiff(got, want) <= 1e-12 * Math.max(1, maxAbs(want)), `${label}: differs from dense.ts by ${maxAbsDiff(got, want)}`);
      }
    }
  }
  // K-FAC's damped inverse: L⁻ᵀ·(L⁻¹·I).
  const n = 150;
  const l = nr.cholesky(randomSpd(n, 1400, 1), n);
  const eye = new Float64Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : 0));
  const inv = nr.solveTriangular(l, nr.solveTriangular(l, eye, n, n, { lower: true, transpose: false }), n, n, { lower: true, transpose: true });
  const want = denseSolveTriangular(l, denseSolveTriangular(l, eye, n, n, { lower: true, transpose: false }), n, n, { lower: true, transpose: true });
  assert.ok(maxAbsDiff(inv, want) <= 1e-12 * maxAbs(want), `inverse differs from dense.ts by ${maxAbsDiff(inv, want)}`);
});

test("cholesky/solveTriangular: bad arguments throw dense.ts's errors (zero diagonal, lengths, non-finite values)", { skip }, () => {
  const { routed: nr } = native();
  const addon = loadNativeAddon();
  const t = Float64Array.of(2, 0, 1, 3);
  const lo = { lower: true, transpose: false };
  const cases: Array<[string, () => unknown, () => unknown]> = [
    ['cholesky NaN', () => nr.cholesky(Float64Array.of(1, 0, Number.NaN, 1), 2), () => denseCholesky(Float64Array.of(1, 0, Number.NaN, 1), 2)],
    ['cholesky Infinity above', () => nr.cholesky(Float64Array.of(1, Infinity, 0, 1), 2), () => denseCholesky(Float64Array.of(1, Infinity, 0, 1), 2)],
    ['cholesky length', () => nr.cholesky(new Float64Array(5), 2), () => denseCholesky(new Float64Array(5), 2)],
    ['cholesky size', () => nr.cholesky(new Float64Array(1), 1.5), () => denseCholesky(new Float64Array(1), 1.5)],
    [
      'solve t length',
      () => nr.solveTriangular(new Float64Array(3), new Float64Array(2), 2, 1, lo),
      () => denseSolveTriangular(new Float64Array(3), new Float64Array(2), 2, 1, lo),
    ],
    ['solve b length', () => nr.solveTriangular(t, new Float64Array(5), 2, 3, lo), () => denseSolveTriangular(t, new Float64Array(5), 2, 3, lo)],
    [
      'solve b NaN',
      () => nr.solveTriangular(t, Float64Array.of(1, Number.NaN), 2, 1, lo),
      () => denseSolveTriangular(t, Float64Array.of(1, Number.NaN), 2, 1, lo),
    ],
    [
      'solve t -Infinity unread',
      () => nr.solveTriangular(Float64Array.of(2, -Infinity, 1, 3), new Float64Array(2), 2, 1, lo),
      () => denseSolveTriangular(Float64Array.of(2, -Infinity, 1, 3), new Float64Array(2), 2, 1, lo),
    ],
    ['solve nrhs', () => nr.solveTriangular(t, new Float64Array(2), 2, -1, lo), () => denseSolveTriangular(t, new Float64Array(2), 2, -1, lo)],
  ];
  for (const opts of TRI_COMBOS.filter((o) => !o.unitDiagonal)) {
    for (const nrhs of [0, 1, 4]) {
      const z = randomTriangular(9, opts.lower, false, 1500 + nrhs);
      z[5 * 9 + 5] = -0;
      const b = randomF64(9 * nrhs, 1501);
      cases.push([`singular ${triLabel(opts)} nrhs=${nrhs}`, () => nr.solveTriangular(z, b, 9, nrhs, opts), () => denseSolveTriangular(z, b, 9, nrhs, opts)]);
    }
  }
  for (const [label, gotFn, wantFn] of cases) {
    let want = '';
    assert.throws(wantFn, (e: Error) => ((want = e.message), true), `${label}: dense.ts throws`);
    assert.throws(gotFn, (e: Error) => e.message === want, `${label}: native throws "${want}"`);
  }
  // A zero diagonal is fine with unitDiagonal (never read); empty sizes give empty results.
  assert.deepEqual(
    nr.solveTriangular(Float64Array.of(0, 0, 2, 0), Float64Array.of(1, 1), 2, 1, { lower: true, transpose: false, unitDiagonal: true }),
    Float64Array.of(1, -1),
  );
  assert.equal(nr.solveTriangular(new Float64Array(0), new Float64Array(0), 0, 3, lo).length, 0);
  assert.equal(nr.solveTriangular(t, new Float64Array(0), 2, 0, lo).length, 0);
  // The addon's own checks (never an out-of-bounds read, whatever the caller passes).
  assert.throws(() => addon.cholesky_f64(new Float64Array(3), 2), /cholesky_f64: a has length 3, expected 4 \(n=2\)/);
  assert.throws(() => addon.cholesky_f64(new Float32Array(4) as unknown as Float64Array, 2), /cholesky_f64: a must be a Float64Array, got a Float32Array/);
  assert.throws(() => addon.trsm_f64(t, new Float64Array(3), 2, 2, 1, 0, 0), /trsm_f64: b has length 3, expected 4 \(n=2, nrhs=2\)/);
  assert.throws(() => addon.trsm_f64(new Float64Array(5), new Float64Array(2), 2, 1, 1, 0, 0), /trsm_f64: t has length 5, expected 4 \(n=2\)/);
  assert.throws(() => addon.trsm_f64(t, new Float64Array(2), 2, 1.5, 1, 0, 0), /trsm_f64: nrhs must be an integer/);
  assert.throws(() => (addon.trsm_f64 as unknown as (...x: unknown[]) => void)(t, new Float64Array(2), 2, 1), /trsm_f64: expected 7 arguments/);
  assert.throws(() => addon.trsm_f64(t, new Float64Array(2 * 2 ** 20), 2, 2 ** 20 + 1, 1, 0, 0), /trsm_f64: b has length/);
});
