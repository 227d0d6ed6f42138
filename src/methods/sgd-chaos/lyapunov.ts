/**
 * Finite-time Lyapunov exponents of the (linearized) training map by QR re-orthonormalization
 * (Benettin et al. 1980), in float64. The reference code multiplies Y_t = Π(I − ηĤ_s) out and takes
 * eigvals(Y_tᵀY_t)^(1/t) in float32, which over/underflows after thousands of steps; QR keeps every
 * column at unit length and accumulates the growth in log space instead:
 *   Z = J_t·Q;  Q, R = qr(Z);  S += log|diag R|;  ℓ_i(t) = S_i / t
 * ℓ_i equals the reference's ½·log ω_i (per step, natural log); ℓ_i > 0 is a chaotic direction.
 * Tangent maps J_t:
 *   SGD / CGD (μ = 0):  dθ' = (I − ηĤ_t)dθ           (Ĥ = H for SGD, the projected Hessian for CGD)
 *   momentum μ > 0:     db' = μ·db + Ĥ_t·dθ,  dθ' = dθ − η·db'   (2n-dimensional: parameters and
 *                       the momentum buffer; the reference's recursion initializes its G to Ĥ_0,
 *                       a quirk we do not copy)
 * `columns` m ≤ dimension tracks the m leading exponents only (Q is dimension×m).
 */
import { matmul } from '../../tensor/ops.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { qr } from '../../linalg/index.ts';

export interface LyapunovState {
  /** Parameter count n (the tangent space has dimension n, or 2n with momentum). */
  n: number;
  momentum: number;
  /** Orthonormal frame, row-major dimension×m. */
  q: Float64Array;
  /** Σ log|R_ii| per column. */
  sums: Float64Array;
  steps: number;
}

export function lyapunovInit(n: number, opts: { momentum?: number; columns?: number } = {}): LyapunovState {
  const R = 'lyapunovInit';
  if (!Number.isInteger(n) || n < 1) throw new Error(`${R}: n must be a positive integer, got ${n}`);
  const momentum = opts.momentum ?? 0;
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`${R}: momentum must be in [0, 1), got ${momentum}`);
  const dim = momentum > 0 ? 2 * n : n;
  const m = opts.columns ?? dim;
  if (!Number.isInteger(m) || m < 1 || m > dim) throw new Error(`${R}: columns must be an integer in 1..${dim}, got ${m}`);
  const q = new Float64Array(dim * m);
  for (let i = 0; i < m; i++) q[i * m + i] = 1;
  return { n, momentum, q, sums: new Float64Array(m), steps: 0 };
}

/** One step of the tangent map with (symmetric, row-major n×n) Ĥ_t and learning rate η. */
export function lyapunovStep(s: LyapunovState, hessian: Float64Array, lr: number): LyapunovState {
  const R = 'lyapunovStep';
  const { n, momentum: mu } = s;
  if (hessian.length !== n * n) throw new Error(`${R}: the Hessian has ${hessian.length} entries, expected ${n}×${n}`);
  if (!(lr > 0)) throw new Error(`${R}: lr must be positive, got ${lr}`);
  for (let i = 0; i < hessian.length; i++)
    if (!Number.isFinite(hessian[i]!)) throw new Error(`${R}: the Hessian is not finite (entry ${i} is ${hessian[i]}) — a non-finite probe`);
  const m = s.sums.length;
  const dim = mu > 0 ? 2 * n : n;
  const H = new Tensor(hessian, [n, n], 'float64');
  const top = new Tensor(s.q.slice(0, n * m), [n, m], 'float64');
  const hq = matmul(H, top).data;
  const z = new Float64Array(dim * m);
  if (mu === 0) {
    for (let i = 0; i < n * m; i++) z[i] = s.q[i]! - lr * hq[i]!;
  } else {
    for (let i = 0; i < n * m; i++) {
      const db = mu * s.q[n * m + i]! + hq[i]!;
      z[n * m + i] = db;
      z[i] = s.q[i]! - lr * db;
    }
  }
  const { Q, R: Rm } = qr(new Tensor(z, [dim, m], 'float64'));
  const r = Rm.data;
  // An exactly singular step (ηλ = 1) would give log 0; floor it at log(1e-300).
  const sums = s.sums.map((v, i) => v + Math.log(Math.max(Math.abs(r[i * m + i]!), 1e-300)));
  return { n, momentum: mu, q: Float64Array.from(Q.data), sums, steps: s.steps + 1 };
}

/** ℓ_i = S_i / t, sorted descending. */
export function lyapunovExponents(s: LyapunovState): Float64Array {
  if (s.steps === 0) throw new Error('lyapunovExponents: no steps taken yet');
  return s.sums.map((v) => v / s.steps).sort((a, b) => b - a);
}

/** Number of exponents above `tol` (default 0). */
export function positiveCount(exponents: Float64Array, tol = 0): number {
  let c = 0;
  for (const e of exponents) if (e > tol) c++;
  return c;
}

/** CGD's projected Hessian Ĥ = H − Σ_{i∈pruned} λ_i v_i v_iᵀ (= V_keep diag(λ_keep) V_keepᵀ). */
export function projectedHessian(hessian: Float64Array, values: Float64Array, vectors: Float64Array, n: number, pruned: readonly number[]): Float64Array {
  const out = Float64Array.from(hessian);
  for (const k of pruned) {
    const lam = values[k]!;
    for (let i = 0; i < n; i++) {
      const vi = lam * vectors[k * n + i]!;
      for (let j = 0; j < n; j++) out[i * n + j]! -= vi * vectors[k * n + j]!;
    }
  }
  return out;
}
