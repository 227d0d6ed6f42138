/**
 * The divergence model of the paper: d(t)² = a·t + b·t² + d₀² — a·t the random-walk (diffusive)
 * part, b·t² the linear (ballistic) divergence. d₀ is fixed to the known initial distance (the
 * reference code fixes d₀ = ε too) and a, b are the linear least-squares solution (the reference
 * uses scipy's curve_fit on the same model, unconstrained). R² is on d².
 */
export interface DivergenceFit {
  a: number;
  b: number;
  d0: number;
  r2: number;
  points: number;
}

export function fitDivergence(t: ArrayLike<number>, d: ArrayLike<number>, d0: number): DivergenceFit {
  const R = 'fitDivergence';
  const m = t.length;
  if (d.length !== m) throw new Error(`${R}: t and d differ in length (${m} vs ${d.length})`);
  if (m < 3) throw new Error(`${R}: needs at least 3 points, got ${m}`);
  if (!(d0 >= 0) || !Number.isFinite(d0)) throw new Error(`${R}: d0 must be a finite number ≥ 0, got ${d0}`);
  let s11 = 0,
    s12 = 0,
    s22 = 0,
    r1 = 0,
    r2 = 0,
    mean = 0;
  for (let i = 0; i < m; i++) {
    const ti = t[i]!,
      di = d[i]!;
    if (!Number.isFinite(ti) || !Number.isFinite(di)) throw new Error(`${R}: point ${i} is not finite (t = ${ti}, d = ${di})`);
    const y = di * di - d0 * d0;
    const t2 = ti * ti;
    s11 += ti * ti;
    s12 += ti * t2;
    s22 += t2 * t2;
    r1 += ti * y;
    r2 += t2 * y;
    mean += (di * di) / m;
  }
  const det = s11 * s22 - s12 * s12;
  if (!(Math.abs(det) > 1e-300)) throw new Error(`${R}: the times are degenerate (need at least two distinct non-zero t)`);
  const a = (r1 * s22 - r2 * s12) / det;
  const b = (s11 * r2 - s12 * r1) / det;
  let ssRes = 0,
    ssTot = 0;
  for (let i = 0; i < m; i++) {
    const ti = t[i]!,
      y = d[i]! * d[i]!;
    ssRes += (y - (a * ti + b * ti * ti + d0 * d0)) ** 2;
    ssTot += (y - mean) ** 2;
  }
  return { a, b, d0, r2: ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot, points: m };
}
