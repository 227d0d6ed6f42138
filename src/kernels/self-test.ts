/**
 * One load-time self-test for any backend, through the Kernels interface, against the js
 * reference: a mis-built wasm module or a mis-linked addon must not become the default backend.
 * Sizes are above every backend's hand-off-to-js threshold, so the backend's own code runs.
 */
import { BINARY_OPS, canonicalSvdSigns, patchGeometry, type FloatArray, type GemmArgs, type Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';

/**
 * The operands the self-test multiplies: awkward sizes (13×37 · 37×11) and small dyadic values
 * (multiples of 1/8 and 1/4), so every partial sum is exact in f32 and f64 and any correct GEMM,
 * whatever its summation order, must equal the js kernel bit for bit.
 */
export function dyadicGemmOperands(isF32: boolean): { a: FloatArray; b: FloatArray; m: number; n: number; k: number } {
  const m = 13,
    n = 11,
    k = 37;
  const Ctor = isF32 ? Float32Array : Float64Array;
  const a = new Ctor(m * k);
  const b = new Ctor(k * n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7919) % 23) / 8 - 1.375;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 104729) % 19) / 4 - 2.25;
  return { a, b, m, n, k };
}

/** Past every backend's elementwise hand-off (2048), with a scalar tail past any vector width. */
const LONG = 2048 + 37;

/** Throws `<backend> self-test failed (…)` on the first difference. */
export function selfTest(k: Kernels): void {
  const fail = (what: string): never => {
    throw new Error(`${k.name} self-test failed (${what})`);
  };
  const same = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 0): void => {
    if (got.length !== want.length) fail(`${what}: length ${got.length}, want ${want.length}`);
    for (let i = 0; i < want.length; i++) {
      const g = got[i]!,
        w = want[i]!;
      const ok = tol === 0 ? Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) : Math.abs(g - w) <= tol;
      if (!ok) fail(`${what}[${i}] = ${g}, want ${w}`);
    }
  };
  for (const isF32 of [true, false]) {
    const Ctor = isF32 ? Float32Array : Float64Array;
    const p = isF32 ? 'f32' : 'f64';
    const { a, b, m, n, k: depth } = dyadicGemmOperands(isF32);
    for (let t = 0; t < 4; t++) {
      const args: GemmArgs = { batch: 1, m, n, k: depth, transA: (t & 1) === 1, transB: (t & 2) === 2, aBatchStride: 0, bBatchStride: 0 };
      const want = new Ctor(m * n);
      jsKernels.gemm(a, b, want, args);
      const got = new Ctor(m * n);
      k.gemm(a, b, got, args);
      same(`${p} gemm transA=${args.transA} transB=${args.transB}`, got, want);
    }
    selfTestBinary(k, Ctor, p, same);
    selfTestFused(k, Ctor, p, same);
  }
  // A padded, strided, dilated window: im2col/col2im must match js exactly.
  const g = patchGeometry(1, 2, 7, 6, 3, 2, 2, 1, 1, 2, 1, 2);
  const img = new Float64Array(g.n * g.c * g.h * g.w).map((_, i) => i / 4 - 3);
  const colsWant = new Float64Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow);
  jsKernels.im2col(img, colsWant, g, -1);
  const cols = new Float64Array(colsWant.length);
  k.im2col(img, cols, g, -1);
  same('im2col', cols, colsWant);
  const imgWant = new Float64Array(img.length);
  jsKernels.col2im(colsWant, imgWant, g);
  const imgGot = new Float64Array(img.length);
  k.col2im(colsWant, imgGot, g);
  same('col2im', imgGot, imgWant);
  selfTestLinalg(k, same);
}

type Same = (what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol?: number) => void;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * Every binary op, same-length and bias forms, on signed zeros (max/min ties keep the first
 * operand), NaN, ±Inf, subnormals and long mantissas: a build that flushes subnormals, or turns a
 * select into a max instruction with other tie or NaN rules, fails.
 */
function selfTestBinary(k: Kernels, C: Ctor, p: string, same: Same): void {
  const base = [0, -0, -0, 0, 0.5, Number.NaN, 1, Infinity, -Infinity, 1e-40, -1e-310, 3, -2.5, Math.PI, 1 / 3, -7e30, 2e-45, 1e300];
  const x = new C(LONG),
    y = new C(LONG);
  for (let i = 0; i < LONG; i++) {
    x[i] = base[i % base.length]!;
    y[i] = base[(i * 5 + 3) % base.length]! * (i % 3 === 0 ? -1 : 1);
  }
  const bias = y.slice(0, 5);
  for (const op of BINARY_OPS) {
    for (const [form, yy] of [
      ['same', y],
      ['bias', bias],
    ] as const) {
      const want = new C(LONG),
        got = new C(LONG);
      jsKernels.binary(op, x, yy, want);
      k.binary(op, x, yy, got);
      same(`${p} binary ${op} ${form}`, got, want);
    }
  }
}

/** The fused optimizer loops on long mantissas and subnormals: an FMA contraction or a flushed subnormal changes bits. */
function selfTestFused(k: Kernels, C: Ctor, p: string, same: Same): void {
  const n = 256 + 37;
  const g = new C(n),
    m = new C(n),
    v = new C(n);
  for (let i = 0; i < n; i++) {
    g[i] = Math.sin(i * 2.3 + 0.1) * (i % 5 === 0 ? 1e-40 : 1);
    m[i] = Math.cos(i * 1.1) / 3;
    v[i] = Math.sin(i * 0.7) ** 2 / 7;
  }
  const r = p === 'f32' ? Math.fround : (x: number): number => x;
  const s = { b1: r(0.9), ob1: r(1 - 0.9), b2: r(0.999), ob2: r(1 - 0.999), c1: r(1 / (1 - 0.9 ** 3)), c2: r(1 / (1 - 0.999 ** 3)), eps: r(1e-8) };
  const run = (kk: Kernels): FloatArray[] => {
    const o = Array.from({ length: 8 }, () => new C(n));
    kk.adam(g, m, v, o[0]!, o[1]!, o[2]!, s);
    kk.momentum(g, m, o[3]!, o[4]!, s.b1);
    kk.scale(g, o[5]!, s.c1);
    kk.axpy(m, g, o[6]!, s.ob2);
    kk.add(m, v, o[7]!);
    return o;
  };
  const got = run(k),
    want = run(jsKernels);
  ['adam mOut', 'adam vOut', 'adam uOut', 'momentum trace', 'momentum u', 'scale', 'axpy', 'add'].forEach((what, i) => same(`${p} ${what}`, got[i]!, want[i]!));
}

/**
 * A 5×5 eigh and QR, a 5×3 and a 3×5 SVD, a 4×4 Cholesky and 4×3 triangular solves, with garbage
 * in the triangle that must not be read (a layout or uplo mix-up shows), against js to 1e-12.
 */
function selfTestLinalg(k: Kernels, same: Same): void {
  const s = 5;
  const x = new Float64Array(s * s);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 1.7 + 0.3);
  for (let i = 0; i < s; i++) x[i * s + i]! += 2;
  const eig = k.eigh(x, s),
    eigWant = jsKernels.eigh(x, s);
  same('eigh values', eig.values, eigWant.values, 1e-12);
  same('eigh vectors', eig.vectors, eigWant.vectors, 1e-12);
  const y = new Float64Array(5 * 3);
  // A quadratic phase: cos(linear phase) would have rank 2, leaving Q's last column to rounding.
  for (let i = 0; i < y.length; i++) y[i] = Math.cos(i * i * 0.7 + 0.3);
  const qr = k.qr(y, 5, 3),
    qrWant = jsKernels.qr(y, 5, 3);
  same('qr q', qr.q, qrWant.q, 1e-12);
  same('qr r', qr.r, qrWant.r, 1e-12);
  // Both orientations (LAPACK sees a row-major wide matrix as a tall one); signs are free in the
  // contract, so compare after the convention linalg.svd applies.
  for (const [a, m, n] of [
    [y, 5, 3],
    [x.subarray(0, 15), 3, 5],
  ] as const) {
    const svd = canonicalSvdSigns(k.svd(a, m, n), m, n),
      svdWant = canonicalSvdSigns(jsKernels.svd(a, m, n), m, n);
    for (const key of ['u', 's', 'v'] as const) same(`svd ${m}×${n} ${key}`, svd[key], svdWant[key], 1e-12);
  }
  const c = 4;
  const spd = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) spd[i * c + j] = j > i ? 1e3 : 0.3 * x[i * s + j]! + (i === j ? 1 : 0);
  const l = k.cholesky(spd, c);
  same('cholesky', l, jsKernels.cholesky(spd, c), 1e-12);
  const rhs = y.subarray(0, c * 3);
  for (let f = 0; f < 4; f++) {
    const opts = { lower: (f & 1) === 1, transpose: (f & 2) === 2 };
    const t = new Float64Array(c * c);
    for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) t[i * c + j] = j > i === opts.lower ? -1e3 : opts.lower ? l[i * c + j]! : l[j * c + i]!;
    same(
      `solveTriangular lower=${opts.lower} transpose=${opts.transpose}`,
      k.solveTriangular(t, rhs, c, 3, opts),
      jsKernels.solveTriangular(t, rhs, c, 3, opts),
      1e-12,
    );
  }
}
