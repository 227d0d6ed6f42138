/**
 * Differentiable dense linear algebra (float64 reference; float32 inputs are computed in
 * float64 and rounded). Each function validates shapes and binds one primitive whose VJP and
 * JVP rules live in tensor/linalg-rules.ts.
 */
import { isFloat } from '../tensor/dtype.ts';
import { fmt } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { bind } from '../tensor/trace.ts';
import { unpackEigh, unpackQr } from '../tensor/linalg-rules.ts';
import { unpackSvd } from '../tensor/svd-rules.ts';

function checkMatrix(op: string, a: unknown, square: boolean): Tensor {
  if (!(a instanceof Tensor)) throw new Error(`${op}: expected a Tensor`);
  if (a.rank !== 2) throw new Error(`${op}: expected a matrix (rank 2), got ${fmt(a.shape)}`);
  if (!isFloat(a.dtype)) throw new Error(`${op}: expected a float matrix, got ${a.dtype}`);
  if (square && a.shape[0] !== a.shape[1]) throw new Error(`${op}: expected a square matrix, got ${fmt(a.shape)}`);
  return a;
}

/**
 * Thin QR of an m×n matrix (m ≥ n): Q m×n with orthonormal columns, R n×n upper triangular
 * with a non-negative diagonal (unique for full-rank A). Differentiable for full-rank A.
 */
export function qr(a: Tensor): { Q: Tensor; R: Tensor } {
  checkMatrix('qr', a, false);
  const [m, n] = a.shape as [number, number];
  if (m < n) throw new Error(`qr: needs rows ≥ columns for the thin factorization, got ${fmt(a.shape)}`);
  const { q, r } = unpackQr(bind('qr', [a], {}), m);
  return { Q: q, R: r };
}

/**
 * Eigendecomposition of the symmetric part (A + Aᵀ)/2: eigenvalues ascending, eigenvectors as
 * columns (sign fixed so each vector's largest-magnitude component is positive). Gradients are
 * exact for distinct eigenvalues, and at repeated eigenvalues for every loss that does not depend
 * on the basis chosen inside a tied eigenspace (eigenvalues, projectors, top-k sums with a gap);
 * eigenvector losses at ties get the finite gradient in which no vector rotates within its tied
 * eigenspace (tensor/linalg-rules.ts).
 */
export function eigh(a: Tensor): { values: Tensor; vectors: Tensor } {
  checkMatrix('eigh', a, true);
  return unpackEigh(bind('eigh', [a], {}));
}

/**
 * Thin singular value decomposition A = U·diag(S)·Vᵀ of any m×n matrix, k = min(m, n): U m×k and
 * V n×k with orthonormal columns (the singular vectors), S (length k) descending and ≥ 0.
 * Sign convention (the same on every backend): each column of U has its largest-magnitude
 * component positive (the first on exact ties), the matching column of V flipped with it.
 * Differentiable (VJP and JVP, any order) for distinct non-zero singular values; derivatives
 * of losses on S alone stay exact at ties and zeros (tensor/svd-rules.ts).
 */
export function svd(a: Tensor): { U: Tensor; S: Tensor; V: Tensor } {
  checkMatrix('svd', a, false);
  const { u, s, v } = unpackSvd(bind('svd', [a], {}), a.shape[0]!);
  return { U: u, S: s, V: v };
}

/** Lower-triangular L with LLᵀ = (A + Aᵀ)/2; throws if that is not positive definite. */
export function cholesky(a: Tensor): Tensor {
  checkMatrix('cholesky', a, true);
  return bind('cholesky', [a], {});
}

export interface SolveTriangularOptions {
  lower?: boolean;
  /** Solve Tᵀ X = B instead of T X = B. */
  transpose?: boolean;
}

/** X with op(T)·X = B for triangular T (only its `lower`/upper triangle is read). B may be a vector. */
export function solveTriangular(t: Tensor, b: Tensor, opts: SolveTriangularOptions = {}): Tensor {
  checkMatrix('solveTriangular', t, true);
  if (!(b instanceof Tensor) || (b.rank !== 1 && b.rank !== 2) || b.shape[0] !== t.shape[0]) {
    throw new Error(`solveTriangular: right-hand side ${b instanceof Tensor ? fmt(b.shape) : typeof b} does not match ${fmt(t.shape)}`);
  }
  if (b.dtype !== t.dtype) throw new Error(`solveTriangular: dtype mismatch ${t.dtype} vs ${b.dtype}`);
  const params = { lower: opts.lower ?? true, transpose: opts.transpose ?? false };
  if (b.rank === 1) {
    const x = bind('solveTriangular', [t, bind('reshape', [b], { shape: [b.size, 1] })], params);
    return bind('reshape', [x], { shape: [b.size] });
  }
  return bind('solveTriangular', [t, b], params);
}
