/**
 * The `wasm` kernel backend: C compiled to WebAssembly SIMD128 — GEMM (gemm.c), im2col/col2im
 * (conv.c), elementwise binary ops (elementwise.c), fused optimizer loops (fused.c), dense
 * eigh/QR/Cholesky/triangular solves (linalg.c), the SVD's Jacobi sweeps (svd.c), all in
 * src/kernels/wasm/ — built by `npm run build:wasm` into the committed
 * src/kernels/wasm/kernels.wasm, so installs need no compiler.
 *
 * The module is compiled and instantiated synchronously when `loadWasmKernels` is called. Operands
 * are copied into one scratch region of the module's memory (above `__heap_base`), which grows on
 * demand and is reused across calls, and C is copied back out. Products below SMALL_MACS
 * multiply-adds, elementwise outputs below BINARY_MIN and optimizer leaves below FUSED_MIN go to
 * the js set instead (same bits): there the copies cost more than the SIMD saves. The backend is
 * the js set with these overrides, so momentum/axpy and the reduction and layout loops (no C port) are the js loops.
 * `unary` exp/tanh on float64 arrays of at least UNARY_MIN elements are unary.c's vectorized
 * loops (native/fast_math.h, the native addon's bits): within 2 ulp of Math but not bit-identical
 * to the js backend (byte-identity is per backend); other unary ops are the js loops.
 * Even pure data movement (im2col/col2im) gains: the copies run at memcpy speed, while V8 moves
 * typed-array elements one at a time (~2 ns each on the Zen 4 VMs measured). Dense float64 `eigh`,
 * `qr`, `cholesky` and `solveTriangular` are src/kernels/wasm/linalg.c, ports of
 * src/kernels/dense.ts (same algorithms, conventions, input checks and error messages; results
 * agree to rounding; Cholesky and forward substitution bit for bit, up to the sign of a zero).
 *
 * Summation order: each C entry is summed in increasing p within blocks of 256, each block in a
 * fresh accumulator of the array's own precision (f32 for Float32Array, unlike the js kernel,
 * which accumulates f32 products in double); so results are deterministic and depend only on k
 * (and on which side of SMALL_MACS the product falls).
 */
import { readFileSync } from 'node:fs';
import {
  BINARY_OPS,
  type AdamScalars,
  type BinaryOp,
  type DataArray,
  type FloatArray,
  type GemmArgs,
  type Kernels,
  type PatchGeometry,
  type SvdResult,
  type UnaryOp,
} from './kernels.ts';
import { selfTest } from './self-test.ts';
import { jacobiSweeps, svdJacobi, type JacobiSweeps } from './svd.ts';
import { jsKernels } from './js.ts';
import { checkArray, checkSize, checkSolveTriangularArgs } from './dense.ts';

/**
 * Below this many multiply-adds (batch·m·n·k) the js kernel is used. Measured on Zen 4 /
 * Node 20 (copies included): js wins at 4³ (0.10 vs 0.19 µs), wasm at 8³ (0.21 vs 0.50 µs f32,
 * 0.27 vs 0.52 µs f64) and beyond (8×10×20: 0.5 vs 1.7–2.0 µs; 64³: 10× / 6× faster).
 */
export const SMALL_MACS = 256;

/**
 * Elementwise outputs shorter than this go to the js loops (same bits): below it the copies in
 * and out of wasm memory cost more than SIMD saves.
 */
export const BINARY_MIN = 2048;

/** Fused optimizer leaves shorter than this go to the js loops (same bits), for the same reason. */
export const FUSED_MIN = 256;

/**
 * float64 exp/tanh shorter than this are the js loops (Math's bits): below it the copies in and
 * out cost more than the f64x2 loop saves. Measured best-of-15 on the shared 2-core Zen 4 VM
 * (`npx tsx bench/unary-crossover.ts`): tanh wins from 32 elements, exp from 64–128; at 160 000
 * tanh 1.59 vs 2.31 ms (1.45×), exp 1.26 vs 1.51 ms (1.2×). (sigmoid, ≈1×, stays on js.)
 */
export const UNARY_MIN = 128;

/** unary.c's op codes. */
const FAST_UNARY = new Map<UnaryOp, number>([
  ['exp', 0],
  ['tanh', 1],
]);

type GemmFn = (
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: number,
  transB: number,
  a: number,
  aStride: number,
  b: number,
  bStride: number,
  c: number,
) => void;

/**
 * The slice of the WebAssembly JS API used here, typed locally: the project's `lib` (ES2022,
 * no DOM) does not declare the `WebAssembly` global, though Node always has it.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  readonly value: unknown;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

type AdamFn = (
  n: number,
  g: number,
  m: number,
  v: number,
  mo: number,
  vo: number,
  u: number,
  b1: number,
  ob1: number,
  b2: number,
  ob2: number,
  c1: number,
  c2: number,
  eps: number,
) => void;

type Im2colFn = (
  x: number,
  out: number,
  n: number,
  c: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  dh: number,
  dw: number,
  oh: number,
  ow: number,
  pad: number,
) => void;
type Col2imFn = (
  cols: number,
  out: number,
  n: number,
  c: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  dh: number,
  dw: number,
  oh: number,
  ow: number,
) => void;
type ScaleFn = (n: number, x: number, out: number, s: number) => void;
type BinaryFn = (op: number, nx: number, x: number, ny: number, y: number, out: number) => void;
/** unary.c: out[i] = f(x[i]) for op 0 exp, 1 tanh; out and x do not overlap. */
type UnaryFn = (op: number, n: number, x: number, out: number) => void;
type AddFn = (n: number, a: number, b: number, out: number) => void;
type QrFn = (m: number, n: number, a: number, q: number, r: number, work: number) => void;
/** Returns 0, or 1 when the QL iteration did not converge. */
type EighFn = (n: number, a: number, values: number, vectors: number, work: number) => number;
/** In place over a; returns −1, or the failing pivot (its value in work[0]). */
type CholeskyFn = (n: number, a: number, work: number) => number;
/** svd.c's Jacobi sweeps in place over w and vt; returns the sweeps used, 0 if it did not converge. */
type SvdJacobiFn = (rows: number, cols: number, w: number, vt: number, norms: number) => number;
type TrsmFn = (n: number, nrhs: number, lower: number, transpose: number, unit: number, t: number, x: number, work: number) => void;

interface WasmExports {
  memory: WasmMemory;
  binary_f32: BinaryFn;
  binary_f64: BinaryFn;
  unary_f64: UnaryFn;
  im2col_f32: Im2colFn;
  im2col_f64: Im2colFn;
  col2im_f32: Col2imFn;
  col2im_f64: Col2imFn;
  scale_f32: ScaleFn;
  scale_f64: ScaleFn;
  add_f32: AddFn;
  add_f64: AddFn;
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  adam_f32: AdamFn;
  adam_f64: AdamFn;
  qr_f64: QrFn;
  eigh_f64: EighFn;
  svd_jacobi_f64: SvdJacobiFn;
  cholesky_f64: CholeskyFn;
  trsm_f64: TrsmFn;
  __heap_base: WasmGlobal;
}

const PAGE = 65536;

function align16(x: number): number {
  return (x + 15) & ~15;
}

// Spelled from the package root so it resolves the same from src/kernels/ and from the compiled
// dist/kernels/ (one committed binary, shipped once, never copied into dist/).
export const WASM_PATH = new URL('../../src/kernels/wasm/kernels.wasm', import.meta.url);

/** The raw module, for tests and diagnostics: its exports and the scratch region's base. */
export interface WasmModule {
  exports: WasmExports;
  heapBase: number;
}

export function instantiate(bytes: Uint8Array): WasmModule {
  if (!WA) throw new Error('this JavaScript engine has no WebAssembly');
  const mod = new WA.Module(bytes);
  const inst = new WA.Instance(mod, {});
  const ex = inst.exports as unknown as WasmExports;
  for (const name of [
    'memory',
    'gemm_f32',
    'gemm_f64',
    'adam_f32',
    'adam_f64',
    'scale_f32',
    'scale_f64',
    'add_f32',
    'add_f64',
    'im2col_f32',
    'im2col_f64',
    'col2im_f32',
    'col2im_f64',
    'binary_f32',
    'binary_f64',
    'unary_f64',
    'qr_f64',
    'eigh_f64',
    'svd_jacobi_f64',
    'cholesky_f64',
    'trsm_f64',
    '__heap_base',
  ] as const) {
    if (!(name in ex)) throw new Error(`kernels.wasm lacks export '${name}'`);
  }
  return { exports: ex, heapBase: align16(Number(ex.__heap_base.value)) };
}

/**
 * Loads kernels.wasm (or `bytes`) and returns the backend: the js set with wasm's overrides.
 * Throws if the file is missing, the engine rejects it (no SIMD128), or the self-test disagrees
 * with the js reference. `opts.raw` drops every hand-off to js (SMALL_MACS, BINARY_MIN,
 * FUSED_MIN): the conformance suite uses it to test the wasm code at sizes 0 and 1.
 */
export function loadWasmKernels(bytes?: Uint8Array, opts: { raw?: boolean } = {}): Kernels {
  const smallMacs = opts.raw ? 0 : SMALL_MACS;
  const binaryMin = opts.raw ? 0 : BINARY_MIN;
  const fusedMin = opts.raw ? 0 : FUSED_MIN;
  const unaryMin = opts.raw ? 0 : UNARY_MIN;
  const { exports: ex, heapBase } = instantiate(bytes ?? readFileSync(WASM_PATH));
  const memory = ex.memory;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);

  /** Makes [heapBase, heapBase + bytes) addressable; false if the memory cannot grow that far. */
  function reserve(bytes: number): boolean {
    const need = heapBase + bytes;
    const have = memory.buffer.byteLength;
    if (need <= have) return true;
    // Grow geometrically so a slowly growing workload does not grow (and re-view) every call.
    const target = Math.max(need, Math.min(2 ** 32 - PAGE, Math.floor(have * 1.5)));
    const pages = Math.ceil((target - have) / PAGE);
    try {
      memory.grow(pages);
    } catch {
      try {
        memory.grow(Math.ceil((need - have) / PAGE));
      } catch {
        return false;
      }
    }
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
    return true;
  }

  function gemm(a: FloatArray, b: FloatArray, c: FloatArray, args: GemmArgs): void {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    if (batch <= 0 || m <= 0 || n <= 0) return;
    if (k <= 0) {
      c.fill(0, 0, batch * m * n);
      return;
    }
    const isF32 = c instanceof Float32Array;
    if (
      batch * m * n * k < smallMacs ||
      (isF32 ? !(a instanceof Float32Array && b instanceof Float32Array) : !(a instanceof Float64Array && b instanceof Float64Array))
    ) {
      jsKernels.gemm(a, b, c, args);
      return;
    }
    const size = isF32 ? 4 : 8;
    const aLen = (batch > 1 ? (batch - 1) * aBatchStride : 0) + m * k;
    const bLen = (batch > 1 ? (batch - 1) * bBatchStride : 0) + k * n;
    const cLen = batch * m * n;
    const aOff = heapBase;
    const bOff = align16(aOff + aLen * size);
    const cOff = align16(bOff + bLen * size);
    const end = cOff + cLen * size;
    if (!reserve(end - heapBase)) {
      jsKernels.gemm(a, b, c, args);
      return;
    }
    const view = isF32 ? f32 : f64;
    const shift = isF32 ? 2 : 3;
    view.set(a.length > aLen ? a.subarray(0, aLen) : a, aOff >>> shift);
    view.set(b.length > bLen ? b.subarray(0, bLen) : b, bOff >>> shift);
    (isF32 ? ex.gemm_f32 : ex.gemm_f64)(batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, aOff, aBatchStride, bOff, bBatchStride, cOff);
    c.set(view.subarray(cOff >>> shift, (cOff >>> shift) + cLen));
  }

  /**
   * Adam's fused step (contract in kernels.ts): three arrays in, three out, through the scratch
   * region. Even with the copies (memcpy speed) this beats a JS loop several times over: V8
   * reads and writes typed arrays one element at a time at ~2 ns each here, SIMD does 2–4 lanes
   * of a sqrt and a divide at once.
   */
  function adam(g: FloatArray, m: FloatArray, v: FloatArray, mOut: FloatArray, vOut: FloatArray, uOut: FloatArray, s: AdamScalars): void {
    const n = g.length;
    if (n < fusedMin) return jsKernels.adam(g, m, v, mOut, vOut, uOut, s);
    const isF32 = sameArrays('adam', g, [
      ['m', m],
      ['v', v],
      ['mOut', mOut],
      ['vOut', vOut],
      ['uOut', uOut],
    ]);
    const size = isF32 ? 4 : 8;
    const shift = isF32 ? 2 : 3;
    const stride = align16(n * size);
    if (!reserve(6 * stride)) throw new Error(`wasm adam: cannot grow memory for ${n} elements`);
    const view = isF32 ? f32 : f64;
    const at = (i: number): number => heapBase + i * stride;
    view.set(g, at(0) >>> shift);
    view.set(m, at(1) >>> shift);
    view.set(v, at(2) >>> shift);
    (isF32 ? ex.adam_f32 : ex.adam_f64)(n, at(0), at(1), at(2), at(3), at(4), at(5), s.b1, s.ob1, s.b2, s.ob2, s.c1, s.c2, s.eps);
    mOut.set(view.subarray(at(3) >>> shift, (at(3) >>> shift) + n));
    vOut.set(view.subarray(at(4) >>> shift, (at(4) >>> shift) + n));
    uOut.set(view.subarray(at(5) >>> shift, (at(5) >>> shift) + n));
  }

  /** Throws unless every array is the same float type and length as `like`; true for float32. */
  function sameArrays(op: string, like: FloatArray, arrays: ReadonlyArray<readonly [string, FloatArray]>): boolean {
    const isF32 = like instanceof Float32Array;
    for (const [name, x] of arrays) {
      if (x instanceof Float32Array !== isF32 || x.length !== like.length) {
        throw new Error(`wasm ${op}: ${name} must be a ${isF32 ? 'Float32Array' : 'Float64Array'} of length ${like.length}`);
      }
    }
    return isF32;
  }

  function scale(x: FloatArray, out: FloatArray, s: number): void {
    if (x.length < fusedMin) return jsKernels.scale(x, out, s);
    const isF32 = sameArrays('scale', x, [['out', out]]);
    const n = x.length;
    const shift = isF32 ? 2 : 3;
    const stride = align16(n << shift);
    if (!reserve(2 * stride)) throw new Error(`wasm scale: cannot grow memory for ${n} elements`);
    const view = isF32 ? f32 : f64;
    view.set(x, heapBase >>> shift);
    (isF32 ? ex.scale_f32 : ex.scale_f64)(n, heapBase, heapBase + stride, s);
    out.set(view.subarray((heapBase + stride) >>> shift, ((heapBase + stride) >>> shift) + n));
  }

  function add(a: FloatArray, b: FloatArray, out: FloatArray): void {
    if (a.length < fusedMin) return jsKernels.add(a, b, out);
    const isF32 = sameArrays('add', a, [
      ['b', b],
      ['out', out],
    ]);
    const n = a.length;
    const shift = isF32 ? 2 : 3;
    const stride = align16(n << shift);
    if (!reserve(3 * stride)) throw new Error(`wasm add: cannot grow memory for ${n} elements`);
    const view = isF32 ? f32 : f64;
    view.set(a, heapBase >>> shift);
    view.set(b, (heapBase + stride) >>> shift);
    (isF32 ? ex.add_f32 : ex.add_f64)(n, heapBase, heapBase + stride, heapBase + 2 * stride);
    out.set(view.subarray((heapBase + 2 * stride) >>> shift, ((heapBase + 2 * stride) >>> shift) + n));
  }

  /**
   * Thin QR (src/kernels/wasm/linalg.c, a port of dense.ts's qrHouseholder): validated here
   * with dense.ts's checks and messages, then A, Q, R and the work area in the scratch region.
   * If the memory cannot grow that far, dense.ts computes it.
   */
  function qr(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array } {
    const fn = 'qrHouseholder';
    checkSize(fn, 'm', m);
    checkSize(fn, 'n', n);
    if (m < n) throw new Error(`${fn}: thin QR needs m ≥ n, got m=${m}, n=${n}`);
    checkArray(fn, 'a', a, m * n, `m=${m}, n=${n}`);
    if (n === 0) return { q: new Float64Array(0), r: new Float64Array(0) };
    const aOff = heapBase;
    const qOff = align16(aOff + m * n * 8);
    const rOff = align16(qOff + m * n * 8);
    const workOff = align16(rOff + n * n * 8);
    const end = workOff + (2 * m * n + n) * 8;
    if (!reserve(end - heapBase)) return jsKernels.qr(a, m, n);
    f64.set(a, aOff >>> 3);
    ex.qr_f64(m, n, aOff, qOff, rOff, workOff);
    return {
      q: f64.slice(qOff >>> 3, (qOff >>> 3) + m * n),
      r: f64.slice(rOff >>> 3, (rOff >>> 3) + n * n),
    };
  }

  /** Symmetric eigendecomposition (linalg.c's port of dense.ts's eighSymmetric), as `qr`. */
  function eigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
    const fn = 'eighSymmetric';
    checkSize(fn, 'n', n);
    checkArray(fn, 'a', a, n * n, `n=${n}`);
    if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
    const aOff = heapBase;
    const valOff = align16(aOff + n * n * 8);
    const vecOff = align16(valOff + n * 8);
    const workOff = align16(vecOff + n * n * 8);
    const end = workOff + (n * n + 4 * n) * 8;
    if (!reserve(end - heapBase)) return jsKernels.eigh(a, n);
    f64.set(a, aOff >>> 3);
    if (ex.eigh_f64(n, aOff, valOff, vecOff, workOff) !== 0) {
      throw new Error(`${fn}: QL iteration did not converge (n=${n})`);
    }
    return {
      values: f64.slice(valOff >>> 3, (valOff >>> 3) + n),
      vectors: f64.slice(vecOff >>> 3, (vecOff >>> 3) + n * n),
    };
  }

  /**
   * Thin SVD: svd.ts's algorithm with this backend's GEMM and eigh and svd.c's Jacobi sweeps (w,
   * vt and the norms in the scratch region; js's own sweeps if the memory cannot grow that far).
   */
  const svdSweeps: JacobiSweeps = (w, vt, rows, cols) => {
    const wOff = heapBase;
    const vtOff = align16(wOff + w.length * 8);
    const normsOff = align16(vtOff + vt.length * 8);
    if (!reserve(normsOff + cols * 8 - heapBase)) return jacobiSweeps(w, vt, rows, cols);
    f64.set(w, wOff >>> 3);
    f64.set(vt, vtOff >>> 3);
    const sweeps = ex.svd_jacobi_f64(rows, cols, wOff, vtOff, normsOff);
    w.set(f64.subarray(wOff >>> 3, (wOff >>> 3) + w.length));
    vt.set(f64.subarray(vtOff >>> 3, (vtOff >>> 3) + vt.length));
    return sweeps;
  };
  const svd = (a: Float64Array, m: number, n: number): SvdResult => svdJacobi(a, m, n, { gemm, eigh, sweeps: svdSweeps });

  /**
   * Cholesky (linalg.c's cholesky_f64: dense.ts's loop in register blocks, the same bits), in
   * place over a copy of A in the scratch region; dense.ts's checks and messages.
   */
  function cholesky(a: Float64Array, n: number): Float64Array {
    const fn = 'cholesky';
    checkSize(fn, 'n', n);
    checkArray(fn, 'a', a, n * n, `n=${n}`);
    if (n === 0) return new Float64Array(0);
    const aOff = heapBase;
    const workOff = align16(aOff + n * n * 8);
    if (!reserve(workOff + 4 * n * 8 - heapBase)) return jsKernels.cholesky(a, n);
    f64.set(a, aOff >>> 3);
    const pivot = ex.cholesky_f64(n, aOff, workOff);
    if (pivot >= 0) {
      throw new Error(`cholesky: matrix is not positive definite (pivot ${pivot} is ${f64[workOff >>> 3]}, n=${n})`);
    }
    return f64.slice(aOff >>> 3, (aOff >>> 3) + n * n);
  }

  /**
   * X with op(T)·X = B (linalg.c's trsm_f64), in place over a copy of B in the scratch region;
   * dense.ts's checks and messages, the zero-diagonal check included.
   */
  function solveTriangular(
    t: Float64Array,
    b: Float64Array,
    n: number,
    nrhs: number,
    opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean },
  ): Float64Array {
    checkSolveTriangularArgs(t, b, n, nrhs);
    const unit = opts.unitDiagonal ?? false;
    if (!unit) {
      for (let i = 0; i < n; i++) {
        if (t[i * n + i] === 0) throw new Error(`solveTriangular: matrix is singular (zero diagonal at ${i}, n=${n})`);
      }
    }
    if (n === 0 || nrhs === 0) return new Float64Array(n * nrhs);
    const tOff = heapBase;
    const xOff = align16(tOff + n * n * 8);
    const workOff = align16(xOff + n * nrhs * 8);
    const groups = Math.ceil(nrhs / 4);
    const end = workOff + (4 * n + 4 + 4 * n * groups) * 8 + groups * 4;
    if (!reserve(end - heapBase)) return jsKernels.solveTriangular(t, b, n, nrhs, opts);
    f64.set(t, tOff >>> 3);
    f64.set(b, xOff >>> 3);
    ex.trsm_f64(n, nrhs, opts.lower ? 1 : 0, opts.transpose ? 1 : 0, unit ? 1 : 0, tOff, xOff, workOff);
    return f64.slice(xOff >>> 3, (xOff >>> 3) + n * nrhs);
  }

  /**
   * im2col/col2im (conv2d forward and both backward passes feed GEMM through these): the js
   * traversal in C (conv.c), so the same bits; the input is copied in and the result out at
   * memcpy speed, where a JS loop moves one element at a time.
   */
  function im2col(x: FloatArray, out: FloatArray, g: PatchGeometry, padValue: number): void {
    const cols = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
    const isF32 = x instanceof Float32Array;
    if (out instanceof Float32Array !== isF32 || x.length < g.n * g.c * g.h * g.w || out.length < cols) {
      throw new Error(`wasm im2col: x and out must be the same float type with ${g.n * g.c * g.h * g.w} and ${cols} elements`);
    }
    const shift = isF32 ? 2 : 3;
    const inLen = g.n * g.c * g.h * g.w;
    const outAt = heapBase + align16(inLen << shift);
    if (!reserve(outAt - heapBase + (cols << shift))) {
      jsKernels.im2col(x, out, g, padValue);
      return;
    }
    const view = isF32 ? f32 : f64;
    view.set(x.length > inLen ? x.subarray(0, inLen) : x, heapBase >>> shift);
    (isF32 ? ex.im2col_f32 : ex.im2col_f64)(
      heapBase,
      outAt,
      g.n,
      g.c,
      g.h,
      g.w,
      g.kh,
      g.kw,
      g.strideH,
      g.strideW,
      g.padH,
      g.padW,
      g.dilationH,
      g.dilationW,
      g.oh,
      g.ow,
      padValue,
    );
    out.set(view.subarray(outAt >>> shift, (outAt >>> shift) + cols));
  }

  function col2im(colsIn: FloatArray, out: FloatArray, g: PatchGeometry): void {
    const cols = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
    const outLen = g.n * g.c * g.h * g.w;
    const isF32 = colsIn instanceof Float32Array;
    if (out instanceof Float32Array !== isF32 || colsIn.length < cols || out.length < outLen) {
      throw new Error(`wasm col2im: cols and out must be the same float type with ${cols} and ${outLen} elements`);
    }
    const shift = isF32 ? 2 : 3;
    const outAt = heapBase + align16(cols << shift);
    if (!reserve(outAt - heapBase + (outLen << shift))) {
      jsKernels.col2im(colsIn, out, g);
      return;
    }
    const view = isF32 ? f32 : f64;
    view.set(colsIn.length > cols ? colsIn.subarray(0, cols) : colsIn, heapBase >>> shift);
    (isF32 ? ex.col2im_f32 : ex.col2im_f64)(
      heapBase,
      outAt,
      g.n,
      g.c,
      g.h,
      g.w,
      g.kh,
      g.kw,
      g.strideH,
      g.strideW,
      g.padH,
      g.padW,
      g.dilationH,
      g.dilationW,
      g.oh,
      g.ow,
    );
    out.set(view.subarray(outAt >>> shift, (outAt >>> shift) + outLen));
  }

  /** Elementwise binary op (contract in kernels.ts): x and y in, out out, through the scratch region. */
  function binary(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void {
    const code = BINARY_OPS.indexOf(op);
    const nx = x.length,
      ny = y.length;
    const n = Math.max(nx, ny);
    const isF32 = x instanceof Float32Array;
    if (n < binaryMin && code >= 0) return jsKernels.binary(op, x, y, out);
    if (code < 0) throw new Error(`wasm binary: unknown op '${String(op)}' (expected one of ${BINARY_OPS.join(', ')})`);
    if (y instanceof Float32Array !== isF32 || out instanceof Float32Array !== isF32) {
      throw new Error('wasm binary: x, y and out must all be Float32Array or all Float64Array');
    }
    if (out.length !== n || (nx !== ny && (Math.min(nx, ny) === 0 || n % Math.min(nx, ny) !== 0))) {
      throw new Error(`wasm binary: lengths x ${nx}, y ${ny}, out ${out.length} do not fit (equal, or the shorter divides the longer and out has the longer)`);
    }
    const shift = isF32 ? 2 : 3;
    const yAt = heapBase + align16(nx << shift);
    const outAt = yAt + align16(ny << shift);
    if (!reserve(outAt - heapBase + (n << shift))) throw new Error(`wasm binary: cannot grow memory for ${n} elements`);
    const view = isF32 ? f32 : f64;
    view.set(x, heapBase >>> shift);
    view.set(y, yAt >>> shift);
    (isF32 ? ex.binary_f32 : ex.binary_f64)(code, nx, heapBase, ny, yAt, outAt);
    out.set(view.subarray(outAt >>> shift, (outAt >>> shift) + n));
  }

  /** exp/tanh of a long float64 array: unary.c on the scratch region (x, then out); everything else: the js loops. */
  function unary(op: UnaryOp, x: DataArray, out: DataArray): void {
    const code = FAST_UNARY.get(op);
    const n = x.length;
    const outAt = heapBase + align16(n << 3);
    if (
      code === undefined ||
      n < unaryMin ||
      !(x instanceof Float64Array) ||
      !(out instanceof Float64Array) ||
      out.length !== n ||
      !reserve(outAt - heapBase + (n << 3))
    ) {
      return jsKernels.unary(op, x, out);
    }
    f64.set(x, heapBase >>> 3);
    ex.unary_f64(code, n, heapBase, outAt);
    out.set(f64.subarray(outAt >>> 3, (outAt >>> 3) + n));
  }

  // momentum and axpy have no wasm port: the js loops.
  const kernels: Kernels = { ...jsKernels, name: 'wasm', gemm, im2col, col2im, binary, unary, adam, scale, add, qr, eigh, svd, cholesky, solveTriangular };
  selfTest(kernels);
  return kernels;
}
