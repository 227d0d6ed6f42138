/**
 * The kernel layer's contract: every raw-array loop behind the tensor primitives, the dense
 * linear algebra and the fused optimizer updates, and the geometry helpers their callers share.
 *
 * Autodiff never sees a kernel: primitives call these on plain typed arrays, so a faster
 * backend (wasm, native BLAS) can replace the `js` reference without touching derivative rules.
 * All arrays are dense, row-major and contiguous; outputs are preallocated by the caller.
 */
export type FloatArray = Float64Array | Float32Array;
/** Any tensor's data: float64, float32, int32, bool (0/1 bytes). */
export type DataArray = Float64Array | Float32Array | Int32Array | Uint8Array;

export interface GemmArgs {
  /** Number of independent products; batch b reads A at aOffset + b*aBatchStride (0 = broadcast). */
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is m×k row-major, or k×m when transA (so the product uses Aᵀ). */
  transA: boolean;
  /** B is k×n row-major, or n×k when transB. */
  transB: boolean;
  aBatchStride: number;
  bBatchStride: number;
}

/** Geometry of a 2-D convolution window over an NCHW image (im2col / col2im). */
export interface PatchGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  /** Output spatial size, derived from the above. */
  oh: number;
  ow: number;
}

/** Adam's step constants, already rounded to the arrays' precision. */
export interface AdamScalars {
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  c1: number;
  c2: number;
  eps: number;
}

/**
 * Elementwise binary ops a backend may implement (see `Kernels.binary`), with exactly these JS
 * semantics per element (a from x, b from y; NaN results may differ only in NaN payload):
 *   add a + b · sub a − b · mul a·b · div a / b
 *   maximum (a ≠ a or b ≠ b) ? NaN : a ≥ b ? a : b · minimum (… NaN) : a ≤ b ? a : b
 *   maskPositive a > 0 ? b : 0
 */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'maskPositive'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * Elementwise ops on any array type (see `Kernels.elementwise`): BINARY_OPS plus pow (Math.pow(a, b))
 * and the comparisons (1 when `a op b` holds, else 0, written to a Uint8Array).
 */
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type ElementwiseOp = BinaryOp | 'pow' | CompareOp;

/**
 * Elementwise unary ops (see `Kernels.unary`), per element a:
 *   neg −a · exp, log, sin, cos, tanh, sqrt, abs: the Math functions · sign: a > 0 ? 1 : a < 0 ? −1 : a
 *   sigmoid: a ≥ 0 ? 1 / (1 + e^−a) : e^a / (1 + e^a) (the side where exp cannot overflow)
 */
export const UNARY_OPS = ['neg', 'exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'sqrt', 'abs', 'sign'] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** The BINARY_OPS semantics as JS expressions of a and b, compiled into the js loops. */
export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  maximum: 'a !== a || b !== b ? NaN : a >= b ? a : b',
  minimum: 'a !== a || b !== b ? NaN : a <= b ? a : b',
  maskPositive: 'a > 0 ? b : 0',
};

/** The BINARY_OPS semantics element by element: the reference backends' self-tests and tests check against. */
export const BINARY_REFERENCE: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (a !== a || b !== b ? Number.NaN : a >= b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? Number.NaN : a <= b ? a : b),
  maskPositive: (a, b) => (a > 0 ? b : 0),
};

/** The kernel backends, fastest last. */
export const BACKEND_NAMES = ['js', 'wasm', 'native'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface SolveTriangularOptions {
  lower: boolean;
  transpose: boolean;
  unitDiagonal?: boolean;
}

/**
 * Every method is required: `js` implements each with plain loops (the reference), and `wasm` and
 * `native` start from the js set and override what they speed up, handing calls too small to pay
 * for a copy or an N-API call back to js themselves. So callers always just call `kernels().x(…)`.
 */
export interface Kernels {
  readonly name: BackendName;
  /** C[b] = op(A[b]) · op(B[b]); C is batch×m×n contiguous and fully overwritten. */
  gemm(a: FloatArray, b: FloatArray, c: FloatArray, args: GemmArgs): void;
  /**
   * im2col: out[n, (ci*kh + i)*kw + j, oy*ow + ox] = x[n, ci, oy*sh - ph + i*dh, ox*sw - pw + j*dw]
   * or `padValue` outside the image. out has shape [n, c*kh*kw, oh*ow].
   */
  im2col(x: FloatArray, out: FloatArray, g: PatchGeometry, padValue: number): void;
  /** col2im: the exact transpose of im2col (padding positions dropped); out is zeroed first. */
  col2im(cols: FloatArray, out: FloatArray, g: PatchGeometry): void;
  /**
   * Elementwise binary op (BINARY_OPS semantics), bit-identical on every backend: out has
   * max(nx, ny) elements, where nx = x.length, ny = y.length, and the shorter operand repeats
   * (x.length === y.length; or ny divides nx and element i reads y[i % ny]; or nx divides ny and
   * element i reads x[i % nx]) — a scalar or a bias. Every array is the same float type;
   * float32 results are the IEEE single-precision ops.
   */
  binary(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void;
  /**
   * `binary` on any array type, with pow and the comparisons too (ElementwiseOp): the same operand
   * forms; out is x's type, except a comparison's, which is a Uint8Array. Float add…maskPositive
   * normally go to `binary`; this is the loop for everything else (and agrees with it bit for bit).
   */
  elementwise(op: ElementwiseOp, x: DataArray, y: DataArray, out: DataArray): void;
  /** out[i] = op(x[i]) (UNARY_OPS), out of x's type and length. */
  unary(op: UnaryOp, x: DataArray, out: DataArray): void;
  /** out[i] = cond[i] ? x[i] : y[i], all of one length. */
  select(cond: DataArray, x: DataArray, y: DataArray, out: DataArray): void;
  /**
   * Type conversion by out's type: Int32Array gets Math.trunc(x[i]), Uint8Array (bool) x[i] ? 1 : 0,
   * float arrays the typed-array store of x[i].
   */
  cast(x: DataArray, out: DataArray): void;
  /**
   * Reductions over the sorted `axes` of x (row-major `shape`), out laid out as shape without them.
   * sum: accumulates in float64 into out (zeroed by the caller), in row-major input order.
   * max: out is overwritten; NaN wins (NumPy). Each reduced axis must be non-empty unless x is.
   */
  sum(x: DataArray, shape: readonly number[], axes: readonly number[], out: Float64Array): void;
  max(x: DataArray, shape: readonly number[], axes: readonly number[], out: DataArray): void;
  /** x viewed as [outer, len, inner] (len ≥ 1): out[o*inner + i] = the first k maximizing x[o, k, i]. */
  argmax(x: DataArray, outer: number, len: number, inner: number, out: Int32Array): void;
  /**
   * Softmax cross-entropy of rows×cols logits against integer labels (one per row, in range),
   * row by row in float64 in a fixed order: the mean loss, and its gradient w.r.t. the logits
   * (out: rows×cols, overwritten).
   */
  softmaxCrossEntropy(logits: DataArray, labels: DataArray, rows: number, cols: number): number;
  softmaxCrossEntropyGrad(logits: DataArray, labels: DataArray, rows: number, cols: number, out: DataArray): void;
  /**
   * Strided copies over the row-major multi-indices of `shape` (offset(idx) = base + Σ idx_d·stride_d):
   * gather reads out[i] = x[offset(i-th index)], scatter writes out[offset(i-th index)] = x[i];
   * transpose2d is the r×c matrix transpose; tile repeats x (its length divides out's) over out.
   */
  gatherStrided(x: DataArray, out: DataArray, shape: readonly number[], stride: readonly number[], base: number): void;
  scatterStrided(x: DataArray, out: DataArray, shape: readonly number[], stride: readonly number[], base: number): void;
  transpose2d(x: DataArray, out: DataArray, r: number, c: number): void;
  tile(x: DataArray, out: DataArray): void;
  /**
   * Axis copies, every array viewed as [outer, ·, inner]: concat stacks parts (part p has lens[p]
   * rows along the axis) into out; gatherAxis copies rows ids[k] of x (axis length len, ids in
   * range) to out[o, k]; scatterAddAxis adds row k of u into out[o, ids[k]] (out zeroed by the caller,
   * ids in range).
   */
  concat(parts: readonly DataArray[], lens: readonly number[], outer: number, inner: number, out: DataArray): void;
  gatherAxis(x: DataArray, ids: DataArray, outer: number, len: number, inner: number, out: DataArray): void;
  scatterAddAxis(u: DataArray, ids: DataArray, outer: number, len: number, inner: number, out: DataArray): void;
  /**
   * Fused optimizer loops, bit-identical to the per-op path of src/optim (see optim/fused.ts):
   * every operand is the same array type and length, scalars are already in the arrays'
   * precision (`scalarIn`), and each arithmetic step rounds to that precision in exactly this order:
   *   adam:     mOut = m·b1 + g·ob1;  vOut = v·b2 + (g·g)·ob2;  uOut = (mOut·c1) / (√(vOut·c2) + eps)
   *   momentum: traceOut = b·mu + g;  uOut = g + traceOut·mu (Nesterov; skipped when uOut is null)
   *   scale: out = x·s     axpy: out = y + x·a     add: out = a + b
   * (IEEE single ops for float32: computing in double and rounding once per op gives the same
   * bits.) Outputs are distinct fresh arrays; inputs are never written.
   */
  adam(g: FloatArray, m: FloatArray, v: FloatArray, mOut: FloatArray, vOut: FloatArray, uOut: FloatArray, s: AdamScalars): void;
  momentum(g: FloatArray, b: FloatArray, traceOut: FloatArray, uOut: FloatArray | null, mu: number): void;
  scale(x: FloatArray, out: FloatArray, s: number): void;
  axpy(y: FloatArray, x: FloatArray, out: FloatArray, a: number): void;
  add(a: FloatArray, b: FloatArray, out: FloatArray): void;
  /**
   * Dense float64 linear algebra with the conventions, argument checks and error messages of
   * src/kernels/dense.ts (the js reference): `qr` is the thin QR of the m×n row-major A (m ≥ n),
   * Q m×n, R n×n with diag(R) ≥ 0; `eigh` reads the LOWER triangle of the n×n A, eigenvalues
   * ascending, eigenvector j is column j of `vectors` (vectors[i*n + j]), unit norm, its
   * largest-magnitude component (the first on exact ties) positive; `cholesky` returns the lower
   * L (strict upper triangle 0) with A = LLᵀ reading only A's lower triangle, and throws
   * "cholesky: matrix is not positive definite …" otherwise; `solveTriangular` returns X
   * (n×nrhs, row-major) with op(T)·X = B, reading only T's `lower` (or upper) triangle,
   * op(T) = Tᵀ when `transpose`, the diagonal taken as 1 with `unitDiagonal`.
   */
  qr(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array };
  /** out[i*n + j] = 0.5·(a[i*n + j] + a[j*n + i]) for the n×n a: the symmetric part eigh and cholesky are given. */
  symmetrize(a: FloatArray, n: number, out: Float64Array): void;
  eigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array };
  cholesky(a: Float64Array, n: number): Float64Array;
  solveTriangular(t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: SolveTriangularOptions): Float64Array;
  /**
   * Thin SVD of the row-major m×n A (either orientation), with kernels/svd.ts's argument checks
   * and messages: k = min(m, n), u m×k and v n×k row-major with the singular vectors as columns,
   * s (length k) descending. Signs are free (LAPACK's and Jacobi's differ): linalg.svd's
   * primitive applies `canonicalSvdSigns` once to whatever the backend returns.
   */
  svd(a: Float64Array, m: number, n: number): SvdResult;
}

/** A thin SVD, A = U·diag(s)·Vᵀ: u m×k, v n×k row-major (vectors as columns), s descending. */
export interface SvdResult {
  u: Float64Array;
  s: Float64Array;
  v: Float64Array;
}

/**
 * The sign convention of `linalg.svd`, the one place it is defined: each left singular vector
 * (column of u) gets its largest-magnitude component positive (the first one on exact ties), its
 * right vector flipped with it. The svd primitive (tensor/linalg-primitives.ts) applies it to every
 * backend's result, so all backends give the same signs; tests comparing raw kernels use it too.
 * In place; returns its argument.
 */
export function canonicalSvdSigns(r: SvdResult, m: number, n: number): SvdResult {
  const k = Math.min(m, n);
  for (let j = 0; j < k; j++) {
    let pivot = 0;
    for (let i = 1; i < m; i++) if (Math.abs(r.u[i * k + j]!) > Math.abs(r.u[pivot * k + j]!)) pivot = i;
    if (r.u[pivot * k + j]! < 0) {
      for (let i = 0; i < m; i++) r.u[i * k + j] = -r.u[i * k + j]!;
      for (let i = 0; i < n; i++) r.v[i * k + j] = -r.v[i * k + j]!;
    }
  }
  return r;
}

/**
 * A JS number as an operand of an array of the given precision, exactly as ops.ts turns it into
 * a scalar tensor: `full([], s, dtype)` fills a fresh zero array only when s !== 0 (so −0 becomes
 * +0), and a Float32Array store rounds like Math.fround.
 */
export function scalarIn(s: number, isF32: boolean): number {
  if (s === 0) return 0;
  return isF32 ? Math.fround(s) : s;
}

/** Adam's raw constants (β₁, β₂, bias corrections c₁ = 1/(1−β₁ᵗ), c₂, ε) in the arrays' precision. */
export function adamScalars(b1: number, b2: number, c1: number, c2: number, eps: number, isF32: boolean): AdamScalars {
  const r = (x: number): number => scalarIn(x, isF32);
  return { b1: r(b1), ob1: r(1 - b1), b2: r(b2), ob2: r(1 - b2), c1: r(c1), c2: r(c2), eps: r(eps) };
}

/** Output size of a strided, padded, dilated window sweep along one axis. */
export function convOutputSize(inSize: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((inSize + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

/** The PatchGeometry of a window sweep; throws when the window does not fit. */
export function patchGeometry(
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
): PatchGeometry {
  const oh = convOutputSize(h, kh, strideH, padH, dilationH);
  const ow = convOutputSize(w, kw, strideW, padW, dilationW);
  if (!(oh >= 1 && ow >= 1)) {
    throw new Error(
      `window does not fit: input ${h}×${w}, kernel ${kh}×${kw}, stride ${strideH}×${strideW}, ` +
        `padding ${padH}×${padW}, dilation ${dilationH}×${dilationW} gives output ${oh}×${ow} (need ≥ 1×1)`,
    );
  }
  return { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow };
}

/** Number of elements of a row-major shape (tensor/shape.ts re-exports it: one definition for every layer). */
export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** Row-major strides (in elements) of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}
