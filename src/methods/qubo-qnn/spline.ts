/**
 * Piecewise-linear (spline) interpolation of a scalar function on breakpoints t_0 < … < t_K, and
 * the piecewise-constant level per interval the QCBO uses (the spline at the interval's midpoint,
 * i.e. the mean of f at its two ends). Error bounds, for f with |f'| ≤ L₁ and |f''| ≤ L₂ on [t_0, t_K]
 * and widths h_k:  |f − spline| ≤ L₂·max h_k²/8;  |f − level| ≤ L₁·max h_k/2 + L₂·max h_k²/8.
 */

export interface Spline {
  readonly t: Float64Array;
  /** f at the breakpoints. */
  readonly f: Float64Array;
  /** Per interval k (t_{k−1}..t_k): slope β_k and intercept α_k of the linear piece. */
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  /** Per interval: the level (spline at the midpoint). */
  readonly level: Float64Array;
}

export function spline(fn: (u: number) => number, t: ArrayLike<number>): Spline {
  const K = t.length - 1;
  if (K < 1) throw new Error(`spline: needs at least 2 breakpoints, got ${t.length}`);
  const tt = Float64Array.from(t);
  for (let k = 1; k <= K; k++)
    if (!(tt[k]! > tt[k - 1]!)) throw new Error(`spline: breakpoints must increase strictly (t[${k - 1}] = ${tt[k - 1]}, t[${k}] = ${tt[k]})`);
  const f = tt.map(fn);
  const alpha = new Float64Array(K);
  const beta = new Float64Array(K);
  const level = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    beta[k] = (f[k + 1]! - f[k]!) / (tt[k + 1]! - tt[k]!);
    alpha[k] = f[k]! - beta[k]! * tt[k]!;
    level[k] = (f[k]! + f[k + 1]!) / 2;
  }
  return { t: tt, f, alpha, beta, level };
}

/** The interval holding u (the lower one at a breakpoint); clamps outside [t_0, t_K]. */
export function intervalOf(s: Spline, u: number): number {
  const K = s.t.length - 1;
  for (let k = 0; k < K - 1; k++) if (u <= s.t[k + 1]!) return k;
  return K - 1;
}

export function splineValue(s: Spline, u: number): number {
  const k = intervalOf(s, u);
  return s.alpha[k]! + s.beta[k]! * u;
}

export function splineErrorBound(s: Spline, lipschitz1: number, lipschitz2: number): { spline: number; level: number } {
  let h = 0;
  for (let k = 1; k < s.t.length; k++) h = Math.max(h, s.t[k]! - s.t[k - 1]!);
  return { spline: (lipschitz2 * h * h) / 8, level: (lipschitz1 * h) / 2 + (lipschitz2 * h * h) / 8 };
}

/**
 * Breakpoints: lo, then K−1 equally spaced inner points on [−r, r], then hi. The inner points are
 * shifted by √2·10⁻⁷·max(r, 1): a ternary net's pre-activation often takes structured values (0 when
 * its weights vanish, integers from a bias column), and a value exactly on a breakpoint would make
 * the interval indicator ambiguous, so the forward pass and the model could disagree.
 */
export function breakpoints(lo: number, hi: number, K: number, r: number): Float64Array {
  if (!Number.isInteger(K) || K < 1) throw new Error(`breakpoints: K must be a positive integer, got ${K}`);
  if (K === 1) return Float64Array.of(lo, hi);
  const shift = Math.SQRT2 * 1e-7 * Math.max(r, 1);
  const inner = Array.from({ length: K - 1 }, (_, k) => shift + (K === 2 ? 0 : -r + (2 * r * k) / (K - 2)));
  const t = [Math.min(lo, inner[0]! - 1e-9), ...inner, Math.max(hi, inner.at(-1)! + 1e-9)];
  return Float64Array.from(t);
}
