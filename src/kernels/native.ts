/**
 * The `native` kernel backend: GEMM and triangular solves through OpenBLAS and QR/eigh/Cholesky
 * through LAPACK, via the optional N-API addon in native/ (plain C; built at install by
 * scripts/build-native.mjs when the OpenBLAS and LAPACKE headers are present, skipped otherwise,
 * so nothing here is ever required).
 *
 * Typed arrays go to the addon in place: no copies, unlike wasm. Products below SMALL_MACS
 * multiply-adds still go to the js kernel, since there the N-API call (≈0.2 µs, mostly reading
 * three typed arrays) costs more than the product. im2col/col2im are C loops with the js kernels'
 * visiting order, so their results are bit-identical to js (8-19× faster on conv-sized inputs).
 * The fused optimizer loops (adam/scale/add; contract in kernels.ts) are C loops with the js
 * loops' operation order and rounding, vectorized (SSE2, or AVX2 picked at load time) but never
 * contracted into FMAs, so they too are bit-identical to src/optim/fused.ts. So is `binary` (the
 * elementwise add/sub/mul/div/maximum/minimum/maskPositive of src/tensor/primitives.ts, same-length,
 * scalar and bias forms). None of these has a small-size hand-off here: the caller (optim/fused.ts,
 * tensor/primitives.ts) decides when an array is large enough to be worth a call.
 *
 * Threads: OpenBLAS's thread count comes from TRAINSCOPE_THREADS when the addon loads (default 1:
 * extra threads only pay for large GEMMs and fight with anything else running); OPENBLAS_NUM_THREADS
 * only sizes OpenBLAS's initial pool, so one knob decides for every backend. Summation order is
 * OpenBLAS's (f32 products accumulate in f32, unlike the js kernel); deterministic for a given
 * thread count and CPU.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BINARY_OPS, BINARY_REFERENCE, type AdamScalars, type BinaryOp, type FloatArray, type GemmArgs, type Kernels, type PatchGeometry } from './kernels.ts';
import { dyadicGemmOperands } from './self-test.ts';
import { jsKernels, patchGeometry } from './js.ts';
import { canonicalSvdSigns, checkSvdArgs, svdJacobi } from './svd.ts';
import { checkArray, checkSize, cholesky as denseCholesky, eighSymmetric, qrHouseholder, solveTriangular as denseSolveTriangular, checkSolveTriangularArgs } from '../linalg/dense.ts';

/**
 * Below this many multiply-adds (batch·m·n·k) the js kernel is used. Measured on Zen 4 / Node 20 /
 * OpenBLAS 0.3.21 by bench/native-crossover.ts: the addon costs ≈0.22 µs even for 1×1×1; js wins
 * at 64 MACs (4×4×4: 0.10 vs 0.22 µs), the two are even around 128 (4×4×8 js, 5×5×5 and 2×2×32
 * native), and native wins from 6×6×6 (0.46 vs 0.23 µs) up (64³: 16× f64, 27× f32).
 */
export const SMALL_MACS = 128;

/** Where scripts/build-native.mjs puts the addon. */
export const NATIVE_PATH = fileURLToPath(new URL('../../native/build/Release/trainscope_native.node', import.meta.url));

/** Transpose flags are numbers (0/1) or booleans; numbers are the cheaper read in C. */
type GemmFn = (
  a: FloatArray, b: FloatArray, c: FloatArray, batch: number, m: number, n: number, k: number,
  transA: number | boolean, transB: number | boolean, aBatchStride: number, bBatchStride: number,
) => void;

/** The geometry of a PatchGeometry as positional numbers, in this order. */
type PatchFn<Extra extends unknown[]> = (
  input: FloatArray, out: FloatArray, n: number, c: number, h: number, w: number, kh: number, kw: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  oh: number, ow: number, ...extra: Extra
) => void;

/** The addon's exports (native/trainscope_native.c). */
export interface NativeAddon {
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  im2col: PatchFn<[padValue: number]>;
  col2im: PatchFn<[]>;
  /** Kernels.adam with the scalars positional. All six arrays one type and length; outputs unshared. */
  adam(
    g: FloatArray, m: FloatArray, v: FloatArray, mOut: FloatArray, vOut: FloatArray, uOut: FloatArray,
    b1: number, ob1: number, b2: number, ob2: number, c1: number, c2: number, eps: number,
  ): void;
  scale(x: FloatArray, out: FloatArray, s: number): void;
  add(a: FloatArray, b: FloatArray, out: FloatArray): void;
  /**
   * Kernels.binary with the op as its index in BINARY_OPS. All three arrays one type; out has
   * max(x.length, y.length) elements, the shorter input's length divides it, out shares no memory with x or y.
   */
  binary(op: number, x: FloatArray, y: FloatArray, out: FloatArray): void;
  qr_f64(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array };
  eigh_f64(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array };
  /** Kernels.svd (LAPACK dgesdd), signs as LAPACK leaves them. */
  svd_f64(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array };
  /** Kernels.cholesky without the finiteness check (LAPACK dpotrf); throws dense.ts's "not positive definite" prefix. */
  cholesky_f64(a: Float64Array, n: number): Float64Array;
  /** Kernels.solveTriangular without the finiteness check (cblas_dtrsm); flags as numbers (0/1) or booleans. */
  trsm_f64(t: Float64Array, b: Float64Array, n: number, nrhs: number, lower: number | boolean, transpose: number | boolean, unitDiagonal: number | boolean): Float64Array;
  set_threads(n: number): void;
  get_threads(): number;
  info(): { blas: string; corename: string; threads: number; procs: number; parallel: number };
}

/** What `trainscope doctor` reports about the native backend. */
export interface NativeInfo {
  path: string;
  /** openblas_get_config(): version and build options. */
  blas: string;
  /** The CPU kernel set OpenBLAS picked at run time (e.g. Haswell, SkylakeX). */
  corename: string;
  /** Threads a BLAS/LAPACK call may use now. */
  threads: number;
  /** Processors OpenBLAS sees. */
  procs: number;
}

const EXPORTS = ['gemm_f32', 'gemm_f64', 'im2col', 'col2im', 'adam', 'scale', 'add', 'binary', 'qr_f64', 'eigh_f64', 'svd_f64', 'cholesky_f64', 'trsm_f64', 'set_threads', 'get_threads', 'info'] as const;

const loaded = new Map<string, NativeAddon>();

/**
 * The thread count TRAINSCOPE_THREADS asks for (a positive integer), else 1. A malformed value
 * warns rather than throws: it should not cost the whole backend.
 */
function configuredThreads(): number {
  const raw = process.env['TRAINSCOPE_THREADS'];
  if (raw === undefined || raw === '') return 1;
  const t = Number(raw);
  if (Number.isInteger(t) && t >= 1 && t <= 4096) return t;
  process.emitWarning(`TRAINSCOPE_THREADS=${raw} is not a positive integer; using 1 thread`);
  return 1;
}

/** Loads (once per path) and checks the addon; throws with a clear message when it cannot. */
export function loadNativeAddon(path: string = NATIVE_PATH): NativeAddon {
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new Error(
      `native addon not built (${path} is missing; install libopenblas-dev and liblapacke-dev, then run npm run build:native)`,
    );
  }
  const threads = configuredThreads();
  // OpenBLAS starts its thread pool when the library loads, sized by OPENBLAS_NUM_THREADS or else
  // by the core count. Unless the user set a count, ask for ours for the duration of the load, so
  // a 1-thread default does not leave a pool of idle threads behind. (set_threads can grow it later.)
  const env = process.env;
  const pinPool = env['OPENBLAS_NUM_THREADS'] === undefined && env['GOTO_NUM_THREADS'] === undefined && env['OMP_NUM_THREADS'] === undefined;
  if (pinPool) env['OPENBLAS_NUM_THREADS'] = String(threads);
  let mod: Partial<NativeAddon>;
  try {
    mod = createRequire(import.meta.url)(path) as Partial<NativeAddon>;
  } catch (e) {
    throw new Error(`native addon failed to load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  } finally {
    if (pinPool) delete env['OPENBLAS_NUM_THREADS'];
  }
  for (const name of EXPORTS) {
    if (typeof mod[name] !== 'function') throw new Error(`native addon ${path} lacks export '${name}'`);
  }
  const ok = mod as NativeAddon;
  ok.set_threads(threads);
  loaded.set(path, ok);
  return ok;
}

/** OpenBLAS version, core and threads of the (default) addon; throws if it is not available. */
export function nativeInfo(): NativeInfo {
  const { blas, corename, threads, procs } = loadNativeAddon().info();
  return { path: NATIVE_PATH, blas, corename, threads, procs };
}

/** Threads OpenBLAS may use per call (process-wide). */
export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNativeThreads: threads must be a positive integer, got ${n}`);
  loadNativeAddon().set_threads(n);
}

export function nativeThreads(): number {
  return loadNativeAddon().get_threads();
}

/**
 * Loads the addon and returns the backend. Throws if the addon is missing, fails to load, or a
 * self-test disagrees with the js reference. `opts.smallMacs` overrides SMALL_MACS (0 sends every
 * product through BLAS: tests use it to run the native code at sizes 0 and 1); `opts.path` loads
 * another build of the addon.
 */
export function loadNativeKernels(opts: { smallMacs?: number; path?: string } = {}): Kernels {
  const smallMacs = opts.smallMacs ?? SMALL_MACS;
  const addon = loadNativeAddon(opts.path);
  const { gemm_f32: gemmF32, gemm_f64: gemmF64, im2col: im2colC, col2im: col2imC } = addon;

  function gemm(a: FloatArray, b: FloatArray, c: FloatArray, args: GemmArgs): void {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    if (batch <= 0 || m <= 0 || n <= 0) return;
    if (k <= 0) {
      c.fill(0, 0, batch * m * n);
      return;
    }
    if (c instanceof Float64Array) {
      if (batch * m * n * k >= smallMacs && a instanceof Float64Array && b instanceof Float64Array) {
        gemmF64(a, b, c, batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, aBatchStride, bBatchStride);
        return;
      }
    } else if (batch * m * n * k >= smallMacs && a instanceof Float32Array && b instanceof Float32Array) {
      gemmF32(a, b, c, batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, aBatchStride, bBatchStride);
      return;
    }
    jsKernels.gemm(a, b, c, args);
  }

  /** Both arrays of one float type: the C loops; a mixed pair: the js kernel. */
  const sameType = (x: FloatArray, y: FloatArray): boolean =>
    x instanceof Float64Array ? y instanceof Float64Array : y instanceof Float32Array;

  function im2col(x: FloatArray, out: FloatArray, g: PatchGeometry, padValue: number): void {
    if (!sameType(x, out)) return jsKernels.im2col(x, out, g, padValue);
    im2colC(x, out, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow, padValue);
  }

  function col2im(cols: FloatArray, out: FloatArray, g: PatchGeometry): void {
    if (!sameType(cols, out)) return jsKernels.col2im(cols, out, g);
    col2imC(cols, out, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  }

  // Mixed array types or lengths, and outputs sharing memory with another operand, are refused
  // by the addon with an error naming the operands.
  const { adam: adamC, scale: scaleC, add: addC, binary: binaryC } = addon;
  function adam(g: FloatArray, m: FloatArray, v: FloatArray, mOut: FloatArray, vOut: FloatArray, uOut: FloatArray, s: AdamScalars): void {
    adamC(g, m, v, mOut, vOut, uOut, s.b1, s.ob1, s.b2, s.ob2, s.c1, s.c2, s.eps);
  }

  /** Elementwise binary op (contract in kernels.ts); lengths, types and overlap are checked in C. */
  function binary(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void {
    const code = BINARY_OPS.indexOf(op);
    if (code < 0) throw new Error(`native binary: unknown op '${String(op)}' (expected one of ${BINARY_OPS.join(', ')})`);
    binaryC(code, x, y, out);
  }

  /**
   * Cholesky (LAPACK dpotrf) and triangular solves (cblas_dtrsm): dense.ts's size, length and
   * finiteness checks here, so the messages are its own; the addon checks the lengths again, the
   * zero diagonal, and the pivots (its "not positive definite" error reports LAPACK's pivot value).
   */
  function cholesky(a: Float64Array, n: number): Float64Array {
    checkSize('cholesky', 'n', n);
    checkArray('cholesky', 'a', a, n * n, `n=${n}`);
    return addon.cholesky_f64(a, n);
  }

  function solveTriangular(
    t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean },
  ): Float64Array {
    checkSolveTriangularArgs(t, b, n, nrhs);
    return addon.trsm_f64(t, b, n, nrhs, opts.lower ? 1 : 0, opts.transpose ? 1 : 0, opts.unitDiagonal ? 1 : 0);
  }

  const kernels: Kernels = {
    name: 'native',
    gemm,
    im2col,
    col2im,
    adam,
    scale: (x, out, s) => scaleC(x, out, s),
    add: (a, b, out) => addC(a, b, out),
    binary,
    qr: (a, m, n) => addon.qr_f64(a, m, n),
    eigh: (a, n) => addon.eigh_f64(a, n),
    svd: (a, m, n) => {
      checkSvdArgs(a, m, n);
      return addon.svd_f64(a, m, n);
    },
    cholesky,
    solveTriangular,
  };
  selfTest(addon);
  return kernels;
}

/**
 * adam/scale/add on values with long mantissas against the js formulas (written out here, as in
 * optim/fused.ts: Math.fround after every float32 op): a build that contracts a multiply-add
 * into an FMA, flushes subnormals or approximates sqrt/division gets different bits.
 */
function selfTestFused(addon: NativeAddon): void {
  const n = 37; // past any vector width, with a scalar tail
  const b1 = 0.9, b2 = 0.999, c1 = 1 / (1 - 0.9 ** 3), c2 = 1 / (1 - 0.999 ** 3), eps = 1e-8;
  for (const isF32 of [true, false]) {
    const Ctor = isF32 ? Float32Array : Float64Array;
    const r: (x: number) => number = isF32 ? Math.fround : (x) => x;
    const [B1, OB1, B2, OB2, C1, C2, E] = [b1, 1 - b1, b2, 1 - b2, c1, c2, eps].map(r) as [number, number, number, number, number, number, number];
    const g = new Ctor(n), m = new Ctor(n), v = new Ctor(n);
    for (let i = 0; i < n; i++) {
      g[i] = Math.sin(i * 2.3 + 0.1) * (i % 5 === 0 ? 1e-40 : 1);
      m[i] = Math.cos(i * 1.1) / 3;
      v[i] = Math.sin(i * 0.7) ** 2 / 7;
    }
    const mo = new Ctor(n), vo = new Ctor(n), uo = new Ctor(n), so = new Ctor(n), ao = new Ctor(n);
    addon.adam(g, m, v, mo, vo, uo, B1, OB1, B2, OB2, C1, C2, E);
    addon.scale(g, so, C1);
    addon.add(m, v, ao);
    for (let i = 0; i < n; i++) {
      const x = g[i]!;
      const mm = r(r(m[i]! * B1) + r(x * OB1));
      const vv = r(r(v[i]! * B2) + r(r(x * x) * OB2));
      const want = [mm, vv, r(r(mm * C1) / r(r(Math.sqrt(r(vv * C2))) + E)), r(x * C1), r(m[i]! + v[i]!)];
      const got = [mo[i]!, vo[i]!, uo[i]!, so[i]!, ao[i]!];
      for (let j = 0; j < 5; j++) {
        if (!Object.is(got[j], want[j])) {
          const what = ['adam mOut', 'adam vOut', 'adam uOut', 'scale', 'add'][j];
          throw new Error(`native self-test failed (${isF32 ? 'f32' : 'f64'} ${what}[${i}] = ${got[j]}, want ${want[j]})`);
        }
      }
    }
  }
}


/**
 * Every binary op, same-length and bias forms, on signed zeros (max/min ties keep the first
 * operand), NaN, ±Inf, subnormals and long mantissas, against the js expressions: a build that
 * flushes subnormals, or turns a select into a max instruction with other tie or NaN rules, fails.
 */
function selfTestBinary(addon: NativeAddon): void {
  const base = [0, -0, -0, 0, 0.5, Number.NaN, 1, Infinity, -Infinity, 1e-40, -1e-310, 3, -2.5, Math.PI, 1 / 3, -7e30, 2e-45, 1e300];
  const n = 37; // past any vector width, with a scalar tail
  for (const isF32 of [true, false]) {
    const Ctor = isF32 ? Float32Array : Float64Array;
    const x = new Ctor(n), y = new Ctor(n);
    for (let i = 0; i < n; i++) {
      x[i] = base[i % base.length]!;
      y[i] = base[(i * 5 + 3) % base.length]! * (i % 3 === 0 ? -1 : 1);
    }
    const bias = y.subarray(0, 4).slice();
    for (let code = 0; code < BINARY_OPS.length; code++) {
      const op = BINARY_OPS[code]!;
      const f = BINARY_REFERENCE[op];
      for (const [form, yy] of [['same', y], ['bias', bias]] as const) {
        const len = form === 'same' ? n : 36;
        const xx = x.subarray(0, len);
        const got = new Ctor(len);
        addon.binary(code, xx, yy, got);
        const want = new Ctor(len);
        for (let i = 0; i < len; i++) want[i] = f(xx[i]!, yy[i % yy.length]!);
        for (let i = 0; i < len; i++) {
          if (Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : !Object.is(got[i], want[i])) {
            throw new Error(`native self-test failed (${isF32 ? 'f32' : 'f64'} binary ${op} ${form}[${i}] = ${got[i]}, want ${want[i]})`);
          }
        }
      }
    }
  }
}

/**
 * Every transpose in both precisions through the raw GEMM entry points, im2col/col2im, and a small
 * QR, eigh, Cholesky and triangular solve, against the js reference: a mis-built or mis-linked
 * addon must not become the default backend.
 */
function selfTest(addon: NativeAddon): void {
  for (const isF32 of [true, false]) {
    const Ctor = isF32 ? Float32Array : Float64Array;
    const { a, b, m, n, k } = dyadicGemmOperands(isF32);
    for (let t = 0; t < 4; t++) {
      const args: GemmArgs = { batch: 1, m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, aBatchStride: 0, bBatchStride: 0 };
      const want = new Ctor(m * n);
      jsKernels.gemm(a, b, want, args);
      const got = new Ctor(m * n);
      (isF32 ? addon.gemm_f32 : addon.gemm_f64)(a, b, got, 1, m, n, k, t & 1, (t >> 1) & 1, 0, 0);
      for (let i = 0; i < want.length; i++) {
        // Inputs are multiples of 1/8 and 1/4 with small magnitude: every partial sum is exact.
        if (got[i] !== want[i]) {
          throw new Error(`native self-test failed (${isF32 ? 'f32' : 'f64'} gemm, transA=${args.transA}, transB=${args.transB}): C[${i}] = ${got[i]}, want ${want[i]}`);
        }
      }
    }
  }
  // A padded, strided, dilated window: im2col/col2im must match js exactly.
  const g = patchGeometry(1, 2, 7, 6, 3, 2, 2, 1, 1, 2, 1, 2);
  const img = new Float64Array(g.n * g.c * g.h * g.w).map((_, i) => i / 4 - 3);
  const colsWant = new Float64Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow);
  jsKernels.im2col(img, colsWant, g, -1);
  const cols = new Float64Array(colsWant.length);
  addon.im2col(img, cols, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow, -1);
  const imgWant = new Float64Array(img.length);
  jsKernels.col2im(colsWant, imgWant, g);
  const imgGot = new Float64Array(img.length);
  addon.col2im(colsWant, imgGot, g.n, g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  for (const [what, got, want] of [['im2col', cols, colsWant], ['col2im', imgGot, imgWant]] as const) {
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) throw new Error(`native self-test failed (${what}[${i}] = ${got[i]}, want ${want[i]})`);
    }
  }
  selfTestFused(addon);
  selfTestBinary(addon);
  // A lower triangle that is not the upper one (garbage there) catches a layout or uplo mix-up.
  const s = 5;
  const x = new Float64Array(s * s);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 1.7 + 0.3);
  for (let i = 0; i < s; i++) x[i * s + i] += 2;
  const check = (what: string, got: Float64Array, want: Float64Array): void => {
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= 1e-12)) throw new Error(`native self-test failed (${what}[${i}] = ${got[i]}, want ${want[i]})`);
    }
  };
  const qr = addon.qr_f64(x, s, s);
  const qrWant = qrHouseholder(x, s, s);
  check('qr q', qr.q, qrWant.q);
  check('qr r', qr.r, qrWant.r);
  const eig = addon.eigh_f64(x, s);
  const eigWant = eighSymmetric(x, s);
  check('eigh values', eig.values, eigWant.values);
  check('eigh vectors', eig.vectors, eigWant.vectors);
  // A wide 3×5 SVD (the transposed layout of dgesdd's view), its signs fixed as linalg.svd does.
  const svd = canonicalSvdSigns(addon.svd_f64(x.subarray(0, 15), 3, 5), 3, 5);
  const svdWant = canonicalSvdSigns(svdJacobi(x.subarray(0, 15), 3, 5), 3, 5);
  for (const key of ['u', 's', 'v'] as const) check(`svd ${key}`, svd[key], svdWant[key]);
  // A 4×4 SPD matrix (diagonally dominant; garbage above the diagonal, which must not be read),
  // then a 4×3 solve with L (lower) and Lᵀ (upper), garbage in the other triangle, every transpose.
  const c = 4;
  const spd = new Float64Array(c * c);
  for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) spd[i * c + j] = j > i ? 1e3 : 0.3 * x[i * s + j]! + (i === j ? 1 : 0);
  const l = addon.cholesky_f64(spd, c);
  check('cholesky', l, denseCholesky(spd, c));
  const rhs = x.subarray(0, c * 3);
  for (let f = 0; f < 4; f++) {
    const opts = { lower: (f & 1) === 1, transpose: (f & 2) === 2 };
    const t = new Float64Array(c * c);
    for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) t[i * c + j] = (j > i) === opts.lower ? -1e3 : opts.lower ? l[i * c + j]! : l[j * c + i]!;
    const got = addon.trsm_f64(t, rhs, c, 3, f & 1, (f >> 1) & 1, 0);
    check(`solveTriangular lower=${opts.lower} transpose=${opts.transpose}`, got, denseSolveTriangular(t, rhs, c, 3, opts));
  }
}
