/**
 * The critical batch size from steps-to-target measurements: fit T(B) = S_min + E_min/B by least
 * squares on log T (so every batch size weighs alike), B_crit = E_min/S_min — the batch size
 * where T = 2·S_min, i.e. where perfect scaling (T·B constant) ends. Pure: works on any rows
 * {B, steps}, from the NQM or from real networks; rows with steps null (unreachable) are skipped.
 */

export interface BatchStepsRow {
  B: number;
  steps: number | null;
}

export interface CriticalBatchFit {
  bCrit: number;
  sMin: number;
  eMin: number;
  /** Coefficient of determination of the fit on log T (1 = perfect). */
  r2: number;
  /** Rows used (reached, finite). */
  n: number;
}

/**
 * Levenberg–Marquardt on (log S, log E) with the analytic Jacobian, from a few starts; S and E
 * stay positive by construction. Needs at least two reached rows with distinct B.
 */
export function fitCriticalBatch(rows: readonly BatchStepsRow[]): CriticalBatchFit {
  const pts = rows.filter((r): r is { B: number; steps: number } => r.steps !== null && Number.isFinite(r.steps));
  for (const r of pts) {
    if (!(r.B > 0) || !Number.isFinite(r.B)) throw new Error(`fitCriticalBatch: batch sizes must be positive, got ${r.B}`);
    if (!(r.steps > 0)) throw new Error(`fitCriticalBatch: steps must be positive, got ${r.steps} at B = ${r.B}`);
  }
  if (new Set(pts.map((r) => r.B)).size < 2) {
    throw new Error(`fitCriticalBatch: need at least two reached rows with distinct batch sizes, got ${pts.length} reached of ${rows.length}`);
  }
  const B = pts.map((r) => r.B);
  const y = pts.map((r) => Math.log(r.steps));
  const sse = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < B.length; i++) s += (y[i]! - Math.log(Math.exp(a) + Math.exp(b) / B[i]!)) ** 2;
    return s;
  };
  const tMin = Math.min(...pts.map((r) => r.steps));
  const small = pts.reduce((m, r) => (r.B < m.B ? r : m));
  let best = { a: 0, b: 0, f: Infinity };
  for (const fracS of [1, 0.5, 0.1, 0.01]) {
    let a = Math.log(tMin * fracS);
    let b = Math.log(small.steps * small.B);
    let lambda = 1e-3;
    let f = sse(a, b);
    for (let it = 0; it < 500; it++) {
      // Gauss–Newton normal equations for residuals r = y − log(S + E/B).
      let jaa = 0,
        jab = 0,
        jbb = 0,
        ga = 0,
        gb = 0;
      for (let i = 0; i < B.length; i++) {
        const S = Math.exp(a);
        const E = Math.exp(b) / B[i]!;
        const m = S + E;
        const r = y[i]! - Math.log(m);
        const da = S / m;
        const db = E / m;
        jaa += da * da;
        jab += da * db;
        jbb += db * db;
        ga += da * r;
        gb += db * r;
      }
      let improved = false;
      for (let tries = 0; tries < 30; tries++) {
        const A = jaa * (1 + lambda),
          D = jbb * (1 + lambda);
        const det = A * D - jab * jab;
        if (!(Math.abs(det) > 0)) {
          lambda *= 10;
          continue;
        }
        const stepA = (D * ga - jab * gb) / det;
        const stepB = (A * gb - jab * ga) / det;
        const fNew = sse(a + stepA, b + stepB);
        if (fNew < f) {
          a += stepA;
          b += stepB;
          const done = f - fNew < 1e-15 * Math.max(1, f);
          f = fNew;
          lambda = Math.max(lambda / 10, 1e-12);
          improved = !done;
          break;
        }
        lambda *= 10;
      }
      if (!improved) break;
    }
    if (f < best.f) best = { a, b, f };
  }
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const tot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const sMin = Math.exp(best.a);
  const eMin = Math.exp(best.b);
  return { bCrit: eMin / sMin, sMin, eMin, r2: tot > 0 ? 1 - best.f / tot : best.f === 0 ? 1 : NaN, n: pts.length };
}
