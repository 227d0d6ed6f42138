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
}
