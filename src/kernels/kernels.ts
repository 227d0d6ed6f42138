/**
 * The kernel layer: the few heavy loops behind the tensor primitives.
 *
 * Autodiff never sees a kernel: primitives call these on plain typed arrays, so a faster
 * backend (wasm, native BLAS) can replace the `js` reference without touching derivative rules.
 * All arrays are dense, row-major and contiguous; outputs are preallocated by the caller.
 */
export type FloatArray = Float64Array | Float32Array;

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
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  /** Output spatial size, derived from the above. */
  oh: number; ow: number;
}

/** Adam's step constants, already rounded to the arrays' precision. */
export interface AdamScalars {
  b1: number; ob1: number; b2: number; ob2: number; c1: number; c2: number; eps: number;
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

export interface Kernels {
  readonly name: string;
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
   * Optional LAPACK-class dense float64 linear algebra. When present, the `qr`/`eigh` primitives
   * use it instead of the js reference (src/linalg/dense.ts), with exactly that file's
   * conventions: `qr` is the thin QR of the m×n row-major A (m ≥ n), Q m×n, R n×n with
   * diag(R) ≥ 0; `eigh` reads the LOWER triangle of the n×n A, eigenvalues ascending,
   * eigenvector j is column j of `vectors` (vectors[i*n + j]), unit norm, its largest-magnitude
   * component (the first on exact ties) positive.
   */
  /**
   * Optional fused optimizer loops, bit-identical to the per-op path of src/optim (see
   * optim/fused.ts): every operand is the same array type, scalars are already in the arrays'
   * precision, and each arithmetic step rounds to that precision in exactly this order:
   *   adam:  mOut = m·b1 + g·ob1;  vOut = v·b2 + (g·g)·ob2;  uOut = (mOut·c1) / (√(vOut·c2) + eps)
   *   scale: out = x·s            add: out = a + b
   * (IEEE single ops for float32: computing in double and rounding once per op gives the same
   * bits.) Outputs are distinct fresh arrays; inputs are never written.
   */
  /**
   * Optional elementwise binary op (BINARY_OPS semantics), bit-identical to the JS loops of
   * src/tensor/primitives.ts: out has max(nx, ny) elements, where nx = x.length, ny = y.length,
   * and the shorter operand repeats (x.length === y.length; or ny divides nx and element i reads
   * y[i % ny]; or nx divides ny and element i reads x[i % nx]) — a scalar or a bias. Every
   * array is the same float type; float32 results are the IEEE single-precision ops.
   */
  binary?(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void;
  adam?(g: FloatArray, m: FloatArray, v: FloatArray, mOut: FloatArray, vOut: FloatArray, uOut: FloatArray, s: AdamScalars): void;
  scale?(x: FloatArray, out: FloatArray, s: number): void;
  add?(a: FloatArray, b: FloatArray, out: FloatArray): void;
  qr?(a: Float64Array, m: number, n: number): { q: Float64Array; r: Float64Array };
  /**
   * Optional, with dense.ts's semantics, argument checks and error messages: `cholesky` returns
   * the lower L (strict upper triangle 0) with A = LLᵀ reading only A's lower triangle, and
   * throws "cholesky: matrix is not positive definite …" otherwise; `solveTriangular` returns X
   * (n×nrhs, row-major) with op(T)·X = B, reading only T's `lower` (or upper) triangle, op(T) = Tᵀ
   * when `transpose`, the diagonal taken as 1 with `unitDiagonal`.
   */
  cholesky?(a: Float64Array, n: number): Float64Array;
  solveTriangular?(t: Float64Array, b: Float64Array, n: number, nrhs: number, opts: { lower: boolean; transpose: boolean; unitDiagonal?: boolean }): Float64Array;
  eigh?(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array };
  /**
   * Optional thin SVD of the row-major m×n A (any orientation), with svd.ts's checks and
   * messages: k = min(m, n), u m×k and v n×k row-major with the singular vectors as columns,
   * s (length k) descending. Signs are free: the caller applies `canonicalSvdSigns`.
   */
  svd?(a: Float64Array, m: number, n: number): { u: Float64Array; s: Float64Array; v: Float64Array };
}
