/**
 * The primitive operations: the only tensor functions that touch raw data. Everything else in
 * trainscope is composed from these, and autodiff needs an impl, a VJP rule and a JVP rule for
 * each, kept under one family name: <family>-primitives.ts holds the impls, <family>-rules.ts
 * both rules, for the families elementwise, reduce, layout and linalg. The typed tables
 * (`{ [P in Prim]: … }`) make the compiler refuse a primitive until all three exist.
 *
 * Primitives are strict: equal shapes for elementwise ops, equal dtypes, no broadcasting;
 * the user-facing ops in ops.ts insert explicit `broadcastTo`s and give friendly errors.
 */
import type { DType } from './dtype.ts';
import type { Tensor } from './tensor.ts';
import type { PatchGeometry } from '../kernels/kernels.ts';
import { elementwiseImpls } from './elementwise-primitives.ts';
import { reduceImpls } from './reduce-primitives.ts';
import { layoutImpls } from './layout-primitives.ts';
import { linalgImpls } from './linalg-primitives.ts';

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type None = Record<string, never>;

/** Elementwise primitives and their (static, non-differentiable) parameters. */
export interface ElementwiseParams {
  // elementwise unary (float)
  neg: None;
  exp: None;
  log: None;
  sin: None;
  cos: None;
  tanh: None;
  sigmoid: None;
  sqrt: None;
  abs: None;
  sign: None;
  // elementwise binary (equal shapes and dtypes)
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  maximum: None;
  minimum: None;
  compare: { op: CompareOp };
  select: None; // (cond: bool, a, b)
  /** (x, y) ↦ x > 0 ? y : 0, equal shapes: relu(x) is maskPositive(x, x), and its own derivative. */
  maskPositive: None;
  cast: { dtype: DType };
}

/** Reductions (axes sorted, removed from the shape), and the fused softmax-cross-entropy pair. */
export interface ReduceParams {
  sum: { axes: number[] };
  max: { axes: number[] };
  argmax: { axis: number };
  // fused loss: one pass instead of ~15 primitives forward and ~25 backward
  /** (logits [B, C], labels int32 [B]) ↦ mean over rows of logsumexp(row) − row[label]: shape []. */
  softmaxCrossEntropy: None;
  /** (logits, labels) ↦ (softmax(logits) − onehot(labels)) / B: the loss's gradient, [B, C]. */
  softmaxCrossEntropyGrad: None;
}

/** Layout: moving and copying elements. */
export interface LayoutParams {
  reshape: { shape: number[] };
  broadcastTo: { shape: number[] };
  transpose: { perm: number[] };
  slice: { starts: number[]; ends: number[] };
  pad: { before: number[]; after: number[] };
  concat: { axis: number };
  gather: { axis: number }; // (x, indices: int32)
  scatterAdd: { axis: number; shape: number[] }; // (updates, indices) -> zeros(shape) with updates added
}

/** Linear algebra: products, patches, decompositions. */
export interface LinalgParams {
  matmul: { transA: boolean; transB: boolean };
  im2col: { g: PatchGeometry; padValue: number };
  col2im: { g: PatchGeometry };
  /** Thin QR of an m×n matrix (m ≥ n), packed as [Q; R]: shape [m + n, n]. */
  qr: None;
  /** Symmetric eigendecomposition of (A + Aᵀ)/2, packed as [λ; V]: shape [n + 1, n], λ ascending. */
  eigh: None;
  /** Thin SVD of an m×n matrix, k = min(m, n), packed as [U; s; V]: shape [m + 1 + n, k], s descending. */
  svd: None;
  /** Lower Cholesky factor of (A + Aᵀ)/2. */
  cholesky: None;
  /** X with op(T) X = B, T triangular. */
  solveTriangular: { lower: boolean; transpose: boolean };
}

/** Every primitive and its (static, non-differentiable) parameters. */
export interface PrimParams extends ElementwiseParams, ReduceParams, LayoutParams, LinalgParams {}
export type Prim = keyof PrimParams;

/** A primitive's implementation on concrete data. */
export type Impl<P extends Prim> = (inputs: readonly Tensor[], params: PrimParams[P]) => Tensor;

/**
 * Reverse-mode rule: the cotangents of the inputs given the cotangent of the output, written in
 * traced ops (never raw buffers) so it differentiates again. `needs[i]` says whether input i
 * wants a cotangent; rules skip the work otherwise.
 */
export type VjpRule<P extends Prim> = (
  ct: Tensor,
  inputs: readonly Tensor[],
  out: Tensor,
  params: PrimParams[P],
  needs: readonly boolean[],
) => (Tensor | null)[];

/** Forward-mode rule: the tangent of the output given the tangents of the inputs (null = zero). */
export type JvpRule<P extends Prim> = (tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, params: PrimParams[P]) => Tensor | null;

/** One table per family; the spread is checked complete against Prim. */
export type FamilyTable<Params, Rule extends 'impl' | 'vjp' | 'jvp'> = {
  [P in keyof Params & Prim]: Rule extends 'impl' ? Impl<P> : Rule extends 'vjp' ? VjpRule<P> : JvpRule<P>;
};

export const impls: { [P in Prim]: Impl<P> } = { ...elementwiseImpls, ...reduceImpls, ...layoutImpls, ...linalgImpls };
