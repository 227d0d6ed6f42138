/**
 * The `native` kernel backend: GEMM and triangular solves through OpenBLAS and QR/eigh/SVD/Cholesky
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
 * elementwise add/sub/mul/div/maximum/minimum/maskPositive, same-length, scalar and bias forms).
 * Arrays shorter than BINARY_MIN / FUSED_MIN go to the js loops here (same bits), so callers never
 * decide. `unary` exp, tanh and sigmoid on float64 arrays of at least UNARY_MIN elements are the
 * addon's vectorized loops (native/fast_math.h): within 2 ulp of Math.exp/Math.tanh but not
 * bit-identical to the js backend (byte-identity is per backend); shorter arrays, other ops and
 * other types are the js loops. Everything else (momentum, axpy, and the reduction and layout
 * loops behind the tensor primitives) is the js set's.
 *
 * Threads: by default every core for GEMMs (and QR, Cholesky, triangular solves) of at least
 * THREAD_MIN_MACS multiply-adds and for eigh and SVD from EIGH_THREAD_MIN_N, one thread below
 * (measured: smaller calls only lose to the hand-off between threads);
 * TRAINSCOPE_THREADS=n forces n for every call; OPENBLAS_NUM_THREADS only sizes OpenBLAS's initial
 * pool, so one knob decides for every backend. Summation order is OpenBLAS's (f32 products
 * accumulate in f32, unlike the js kernel); deterministic for a given thread count and CPU.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import {
  BINARY_OPS,
  type AdamScalars,
  type BinaryOp,
  type DataArray,
  type FloatArray,
  type GemmArgs,
  type Kernels,
  type PatchGeometry,
  type UnaryOp,
} from './kernels.ts';
import { selfTest } from './self-test.ts';
import { jsKernels } from './js.ts';
import { checkArray, checkSize, checkSolveTriangularArgs } from './dense.ts';
import { checkSvdArgs } from './svd.ts';

/**
 * Below this many multiply-adds (batch·m·n·k) the js kernel is used. Measured on Zen 4 / Node 20 /
 * OpenBLAS 0.3.21 by bench/native-crossover.ts: the addon costs ≈0.22 µs even for 1×1×1; js wins
 * at 64 MACs (4×4×4: 0.10 vs 0.22 µs), the two are even around 128 (4×4×8 js, 5×5×5 and 2×2×32
 * native), and native wins from 6×6×6 (0.46 vs 0.23 µs) up (64³: 16× f64, 27× f32).
 */
export const SMALL_MACS = 128;

/**
 * Elementwise outputs shorter than this go to the js loops (same bits): below it a JS loop beats
 * the N-API call. (Moved here from tensor/primitives.ts: the backend owns its hand-offs.)
 */
export const BINARY_MIN = 2048;

/**
 * float64 exp/tanh/sigmoid on arrays shorter than this go to the js loops (Math's bits): below it
 * the N-API call (≈0.2 µs) costs more than the vectorized loop saves. Measured best-of-15 on the
 * shared 2-core Zen 4 VM (`npx tsx bench/unary-crossover.ts`, AVX-512 clone): native wins tanh
 * from 8–16 elements, exp and sigmoid from 16–32 (n = 32: 1.4–2.1× faster; 160 000: tanh 0.38 ms
 * vs 1.8–5.9 ms of Math.tanh, exp 0.31 vs 2.4 ms).
 */
export const UNARY_MIN = 32;

/** The addon's unary_f64 op codes (native/trainscope_native.c UNARY_F64). */
const FAST_UNARY = new Map<UnaryOp, number>([
  ['exp', 0],
  ['tanh', 1],
  ['sigmoid', 2],
]);

/** Fused optimizer leaves shorter than this go to the js loops (same bits), for the same reason. */
export const FUSED_MIN = 256;

/**
 * Automatic threads: a product of at least this many multiply-adds (m·n·k) runs on every core,
 * a smaller one on one. OpenBLAS itself keeps products up to 64³ single-threaded; above that, on
 * the 2-core Zen 4 VM measured (`npx tsx bench/native-crossover.ts --threads`, 1 → 2 threads),
 * 96³ gains nothing, 128³ loses for sgemm (98 → 85 GFLOPS) though dgemm gains (48 → 74), and from
 * 160³ both gain (sgemm 103 → 144, dgemm 49 → 78; 512³: 105 → 199 and 51 → 99) — for products
 * timed back to back. Inside a training loop they do not: the second core is also where V8 runs
 * its concurrent GC and compiler threads, and OpenBLAS's worker spins on it between calls. With
 * the crossover at 160³, `train()` of the README's MLP (its GEMMs are 100×784×128 ≈ 215³ MACs)
 * ran 1.33 ms/step in float32 and 2.1 in float64 against 1.10 and 1.78 on one thread, and a
 * 784-256-256-10 step timed 20 at a time 3.8 ms against 3.2. So automatic threads start at 512³
 * (≈ 134 M multiply-adds, ≥ 1.3 ms a product on one core), where the gain is large and the
 * product long enough to pay for waking the worker; below, one thread.
 */
export const THREAD_MIN_MACS = 512 ** 3;
/**
 * eigh (LAPACK dsyevd) is mostly its memory-bound tridiagonalization: measured 1 → 2 threads,
 * n = 64: 0.28 → 0.38 ms, 128: 1.2 → 1.4 ms, 256: 5.8 → 5.8 ms, 512: 33 → 28–36 ms. So it runs on
 * one thread below n = 512. QR, Cholesky and triangular solves follow the GEMM rule on their
 * multiply-add count (QR 1024×64: 0.87–1.37 → 0.76 ms on 2 threads). SVD (dgesdd: a
 * bidiagonalization, memory-bound like eigh's) takes eigh's rule on min(m, n): measured n×n,
 * 1 → 2 threads, n = 64: 0.62 → 0.66–1.65 ms, 128: 2.7 → 3.1 ms, 256: 12.3 → 12.3 ms,
 * 512: 80–85 → 70 ms (tall-skinny shapes not measured).
 */
export const EIGH_THREAD_MIN_N = 512;
/** OpenBLAS's own single-thread limit (SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD = 65536 · 4). */
const OPENBLAS_SINGLE_MACS = 64 ** 3;

/** Where scripts/build-native.mjs puts the addon (two levels up from src/kernels/ and dist/kernels/ alike); TRAINSCOPE_NATIVE_ADDON points elsewhere (tests, diagnostics). */
export const NATIVE_PATH =
  process.env['TRAINSCOPE_NATIVE_ADDON'] || fileURLToPath(new URL('../../native/build/Release/trainscope_native.node', import.meta.url));

/** Transpose flags are numbers (0/1) or booleans; numbers are the cheaper read in C. */
type GemmFn = (
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: number | boolean,
  transB: number | boolean,
  aBatchStride: number,
  bBatchStride: number,
) => void;

/** The geometry of a PatchGeometry as positional numbers, in this order. */
type PatchFn<Extra extends unknown[]> = (
  input: FloatArray,
  out: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  strideH: number,
  strideW: number,
  padH: number,
  padW: number,
  dilationH: number,
  dilationW: number,
  oh: number,
  ow: number,
  ...extra: Extra
) => void;

/** The addon's exports (native/trainscope_native.c). */
export interface NativeAddon {
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  im2col: PatchFn<[padValue: number]>;
  col2im: PatchFn<[]>;
  /** Kernels.adam with the scalars positional. All six arrays one type and length; outputs unshared. */
  adam(
    g: FloatArray,
    m: FloatArray,
    v: FloatArray,
    mOut: FloatArray,
    vOut: FloatArray,
    uOut: FloatArray,
    b1: number,
    ob1: number,
    b2: number,
    ob2: number,
    c1: number,
    c2: number,
    eps: number,
  ): void;
  scale(x: FloatArray, out: FloatArray, s: number): void;
  add(a: FloatArray, b: FloatArray, out: FloatArray): void;
  /**
   * Kernels.binary with the op as its index in BINARY_OPS. All three arrays one type; out has
   * max(x.length, y.length) elements, the shorter input's length divides it, out shares no memory with x or y.
   */
  binary(op: number, x: FloatArray, y: FloatArray, out: FloatArray): void;
  /** out[i] = f(x[i]) for op 0 exp, 1 tanh, 2 sigmoid (native/fast_math.h); two Float64Arrays of one length (out may be x). */
  unary_f64(op: number, x: Float64Array, out: Float64Array): void;
  qr_f64(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array };
  eigh_f64(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array };
  /** Kernels.svd (LAPACK dgesdd), signs as LAPACK leaves them. */
  svd_f64(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array };
  /** Kernels.cholesky without the finiteness check (LAPACK dpotrf); throws dense.ts's "not positive definite" prefix. */
  cholesky_f64(a: Float64Array, n: number): Float64Array;
  /** Kernels.solveTriangular without the finiteness check (cblas_dtrsm); flags as numbers (0/1) or booleans. */
  trsm_f64(
    t: Float64Array,
    b: Float64Array,
    n: number,
    nrhs: number,
    lower: number | boolean,
    transpose: number | boolean,
    unitDiagonal: number | boolean,
  ): Float64Array;
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
  /** The most threads a call may use (automatic: every core; else the forced count). */
  maxThreads: number;
  /** Processors OpenBLAS sees. */
  procs: number;
}

const EXPORTS = [
  'gemm_f32',
  'gemm_f64',
  'im2col',
  'col2im',
  'adam',
  'scale',
  'add',
  'binary',
  'unary_f64',
  'qr_f64',
  'eigh_f64',
  'svd_f64',
  'cholesky_f64',
  'trsm_f64',
  'set_threads',
  'get_threads',
  'info',
] as const;

const loaded = new Map<string, NativeAddon>();

/**
 * How many threads OpenBLAS may use. `forced`: TRAINSCOPE_THREADS (or setNativeThreads) fixed a
 * count for every call. Otherwise automatic: `max` (every core) for GEMMs of at least
 * THREAD_MIN_MACS multiply-adds and for LAPACK calls, one thread for smaller GEMMs.
 */
interface ThreadPolicy {
  forced: number | undefined;
  max: number;
  current: number;
}
const policy: ThreadPolicy = { forced: undefined, max: 1, current: 1 };

/**
 * The thread count TRAINSCOPE_THREADS forces (a positive integer), else undefined (automatic).
 * A malformed value warns rather than throws: it should not cost the whole backend.
 */
function forcedThreads(): number | undefined {
  const raw = process.env['TRAINSCOPE_THREADS'];
  if (raw === undefined || raw === '') return undefined;
  const t = Number(raw);
  if (Number.isInteger(t) && t >= 1 && t <= 4096) return t;
  process.emitWarning(`TRAINSCOPE_THREADS=${raw} is not a positive integer; choosing threads automatically`);
  return undefined;
}

/** Loads (once per path) and checks the addon; throws with a clear message when it cannot. */
export function loadNativeAddon(path: string = NATIVE_PATH): NativeAddon {
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    throw new Error(`native addon not built (${path} is missing; install libopenblas-dev and liblapacke-dev, then run npm run build:native)`);
  }
  policy.forced = forcedThreads();
  policy.max = policy.forced ?? Math.max(1, availableParallelism());
  const threads = policy.max;
  // OpenBLAS starts its thread pool when the library loads, sized by OPENBLAS_NUM_THREADS or else
  // by the core count. Unless the user set a count, ask for ours for the duration of the load, so
  // a forced 1 does not leave a pool of idle threads behind. (set_threads can grow it later.)
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
  policy.current = threads;
  loaded.set(path, ok);
  return ok;
}

/** OpenBLAS version, core and threads of the (default) addon; throws if it is not available. */
export function nativeInfo(): NativeInfo {
  const { blas, corename, threads, procs } = loadNativeAddon().info();
  return { path: NATIVE_PATH, blas, corename, threads, maxThreads: policy.forced ?? policy.max, procs };
}

/** Forces the threads OpenBLAS may use per call (process-wide), or 'auto' to choose by size again. */
export function setNativeThreads(n: number | 'auto'): void {
  if (n !== 'auto' && (!Number.isInteger(n) || n < 1)) throw new Error(`setNativeThreads: threads must be a positive integer or 'auto', got ${n}`);
  const addon = loadNativeAddon();
  policy.forced = n === 'auto' ? undefined : n;
  if (n === 'auto') policy.max = Math.max(1, availableParallelism());
  policy.current = n === 'auto' ? policy.max : n;
  addon.set_threads(policy.current);
}

/** The thread choice in words, for `trainscope doctor`. */
export function nativeThreadPolicy(): string {
  if (policy.forced !== undefined) return `${policy.forced} for every call (forced by TRAINSCOPE_THREADS or setNativeThreads)`;
  if (policy.max === 1) return '1 (one core seen)';
  return `automatic: ${policy.max} (every core) for GEMMs, QR, Cholesky and triangular solves of at least ${THREAD_MIN_MACS} multiply-adds (512³) and eigh/SVD from n = ${EIGH_THREAD_MIN_N}, 1 below; TRAINSCOPE_THREADS=n forces n`;
}

/** Automatic threads: every core for a call of at least THREAD_MIN_MACS multiply-adds, one below. */
function pickThreads(addon: NativeAddon, macs: number): void {
  if (policy.forced !== undefined || policy.max === 1) return;
  const want = macs >= THREAD_MIN_MACS ? policy.max : 1;
  if (want !== policy.current) {
    addon.set_threads(want);
    policy.current = want;
  }
}

export function nativeThreads(): number {
  return loadNativeAddon().get_threads();
}

/**
 * Loads the addon and returns the backend: the js set with native's overrides. Throws if the
 * addon is missing, fails to load, or the self-test disagrees with the js reference. `opts.raw`
 * drops every hand-off to js (SMALL_MACS, BINARY_MIN, FUSED_MIN, UNARY_MIN: tests use it to run the native
 * code at sizes 0 and 1); `opts.path` loads another build of the addon.
 */
export function loadNativeKernels(opts: { raw?: boolean; path?: string } = {}): Kernels {
  const smallMacs = opts.raw ? 0 : SMALL_MACS;
  const binaryMin = opts.raw ? 0 : BINARY_MIN;
  const fusedMin = opts.raw ? 0 : FUSED_MIN;
  const unaryMin = opts.raw ? 0 : UNARY_MIN;
  const addon = loadNativeAddon(opts.path);
  const { gemm_f32: gemmF32, gemm_f64: gemmF64, im2col: im2colC, col2im: col2imC } = addon;

  function gemm(a: FloatArray, b: FloatArray, c: FloatArray, args: GemmArgs): void {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    if (batch <= 0 || m <= 0 || n <= 0) return;
    if (k <= 0) {
      c.fill(0, 0, batch * m * n);
      return;
    }
    // ≤ 64³ OpenBLAS runs on one thread itself: leave the setting alone (no extra call on tiny steps).
    if (m * n * k > OPENBLAS_SINGLE_MACS) pickThreads(addon, m * n * k);
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
  const sameType = (x: FloatArray, y: FloatArray): boolean => (x instanceof Float64Array ? y instanceof Float64Array : y instanceof Float32Array);

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
    if (g.length < fusedMin) return jsKernels.adam(g, m, v, mOut, vOut, uOut, s);
    adamC(g, m, v, mOut, vOut, uOut, s.b1, s.ob1, s.b2, s.ob2, s.c1, s.c2, s.eps);
  }

  /** Elementwise binary op (contract in kernels.ts); lengths, types and overlap are checked in C. */
  function binary(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void {
    const code = BINARY_OPS.indexOf(op);
    if (Math.max(x.length, y.length) < binaryMin && code >= 0) return jsKernels.binary(op, x, y, out);
    if (code < 0) throw new Error(`native binary: unknown op '${String(op)}' (expected one of ${BINARY_OPS.join(', ')})`);
    binaryC(code, x, y, out);
  }

  /** exp/tanh/sigmoid of a long float64 array: the addon's loops; everything else: the js loops. */
  const { unary_f64: unaryF64 } = addon;
  function unary(op: UnaryOp, x: DataArray, out: DataArray): void {
    const code = FAST_UNARY.get(op);
    // An out partly overlapping x (never made by the tensor layer) takes the js loop's element
    // order. Only a real overlap: pooled tensors are often disjoint views of one buffer, and those
    // must take the same path every time, or a run's bits would depend on where its arrays lie.
    const partial =
      x.buffer === out.buffer &&
      x.byteOffset !== out.byteOffset &&
      x.byteOffset < out.byteOffset + out.byteLength &&
      out.byteOffset < x.byteOffset + x.byteLength;
    if (code !== undefined && x.length >= unaryMin && x instanceof Float64Array && out instanceof Float64Array && !partial) unaryF64(code, x, out);
    else jsKernels.unary(op, x, out);
  }

  /**
   * Cholesky (LAPACK dpotrf) and triangular solves (cblas_dtrsm): dense.ts's size, length and
   * finiteness checks here, so the messages are its own; the addon checks the lengths again, the
   * zero diagonal, and the pivots (its "not positive definite" error reports LAPACK's pivot value).
   */
  function cholesky(a: Float64Array, n: number): Float64Array {
    checkSize('cholesky', 'n', n);
    checkArray('cholesky', 'a', a, n * n, `n=${n}`);
    pickThreads(addon, (n * n * n) / 3);
    return addon.cholesky_f64(a, n);
  }

  function solveTriangular(
    t: Float64Array,
    b: Float64Array,
    n: number,
    nrhs: number,
    opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean },
  ): Float64Array {
    checkSolveTriangularArgs(t, b, n, nrhs);
    pickThreads(addon, n * n * nrhs);
    return addon.trsm_f64(t, b, n, nrhs, opts.lower ? 1 : 0, opts.transpose ? 1 : 0, opts.unitDiagonal ? 1 : 0);
  }

  // momentum and axpy have no C port: the js loops.
  const kernels: Kernels = {
    ...jsKernels,
    name: 'native',
    gemm,
    im2col,
    col2im,
    adam,
    scale: (x, out, s) => (x.length < fusedMin ? jsKernels.scale(x, out, s) : scaleC(x, out, s)),
    add: (a, b, out) => (a.length < fusedMin ? jsKernels.add(a, b, out) : addC(a, b, out)),
    binary,
    unary,
    qr: (a, m, n) => {
      pickThreads(addon, m * n * n);
      return addon.qr_f64(a, m, n);
    },
    eigh: (a, n) => {
      pickThreads(addon, n >= EIGH_THREAD_MIN_N ? Infinity : 0);
      return addon.eigh_f64(a, n);
    },
    svd: (a, m, n) => {
      checkSvdArgs(a, m, n);
      pickThreads(addon, Math.min(m, n) >= EIGH_THREAD_MIN_N ? Infinity : 0);
      return addon.svd_f64(a, m, n);
    },
    cholesky,
    solveTriangular,
  };
  selfTest(kernels);
  return kernels;
}
