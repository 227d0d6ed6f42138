/**
 * Linear-algebra primitives: batched matmul, im2col/col2im, QR, eigh, SVD, Cholesky, triangular
 * solves, all through the kernel backend. Rules: linalg-rules.ts (SVD's: svd-rules.ts).
 */
import { allocateOutput as allocate } from './arena.ts';
import { sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import { canonicalSvdSigns, type FloatArray } from '../kernels/kernels.ts';
import { fromF64 } from './primitive-helpers.ts';
import type { FamilyTable, LinalgParams } from './primitives.ts';

function matrixData(x: Tensor): Float64Array {
  return x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
}

function symmetrized(x: Tensor): Float64Array {
  const n = x.shape[0]!;
  const s = new Float64Array(n * n);
  kernels().symmetrize(x.data as FloatArray, n, s);
  return s;
}

export const linalgImpls: FamilyTable<LinalgParams, 'impl'> = {
  matmul: ([a, b], { transA, transB }) => {
    const A = a!;
    const B = b!;
    const m = transA ? A.shape[A.rank - 1]! : A.shape[A.rank - 2]!;
    const k = transA ? A.shape[A.rank - 2]! : A.shape[A.rank - 1]!;
    const n = transB ? B.shape[B.rank - 2]! : B.shape[B.rank - 1]!;
    const batchShape = A.rank >= B.rank ? A.shape.slice(0, -2) : B.shape.slice(0, -2);
    const batch = sizeOf(batchShape);
    const out = allocate(A.dtype, batch * m * n) as FloatArray;
    kernels().gemm(A.data as FloatArray, B.data as FloatArray, out, {
      batch,
      m,
      n,
      k,
      transA,
      transB,
      aBatchStride: A.rank === 2 ? 0 : m * k,
      bBatchStride: B.rank === 2 ? 0 : k * n,
    });
    return new Tensor(out, [...batchShape, m, n], A.dtype);
  },
  im2col: ([x], { g, padValue }) => {
    const out = allocate(x!.dtype, g.n * g.c * g.kh * g.kw * g.oh * g.ow) as FloatArray;
    kernels().im2col(x!.data as FloatArray, out, g, padValue);
    return new Tensor(out, [g.n, g.c * g.kh * g.kw, g.oh * g.ow], x!.dtype);
  },
  col2im: ([cols], { g }) => {
    const out = allocate(cols!.dtype, g.n * g.c * g.h * g.w) as FloatArray;
    kernels().col2im(cols!.data as FloatArray, out, g);
    return new Tensor(out, [g.n, g.c, g.h, g.w], cols!.dtype);
  },
  qr: ([a]) => {
    const [m, n] = a!.shape as [number, number];
    const { q, r } = kernels().qr(matrixData(a!), m, n);
    const packed = new Float64Array((m + n) * n);
    packed.set(q);
    packed.set(r, m * n);
    return fromF64(packed, [m + n, n], a!.dtype);
  },
  eigh: ([a]) => {
    const n = a!.shape[0]!;
    const { values, vectors } = kernels().eigh(symmetrized(a!), n);
    const packed = new Float64Array((n + 1) * n);
    packed.set(values);
    packed.set(vectors, n);
    return fromF64(packed, [n + 1, n], a!.dtype);
  },
  svd: ([a]) => {
    const [m, n] = a!.shape as [number, number];
    const k = Math.min(m, n);
    // Backends return free signs (LAPACK's differ from Jacobi's): the convention is applied here,
    // once, after whichever backend ran, so every backend gives the same U and V.
    const { u, s, v } = canonicalSvdSigns(kernels().svd(matrixData(a!), m, n), m, n);
    const packed = new Float64Array((m + 1 + n) * k);
    packed.set(u);
    packed.set(s, m * k);
    packed.set(v, (m + 1) * k);
    return fromF64(packed, [m + 1 + n, k], a!.dtype);
  },
  cholesky: ([a]) => {
    const n = a!.shape[0]!;
    return fromF64(kernels().cholesky(symmetrized(a!), n), [n, n], a!.dtype);
  },
  solveTriangular: ([t, b], { lower, transpose }) => {
    const n = t!.shape[0]!;
    const nrhs = b!.shape[1]!;
    const x = kernels().solveTriangular(matrixData(t!), matrixData(b!), n, nrhs, { lower, transpose });
    return fromF64(x, [n, nrhs], b!.dtype);
  },
};
