/**
 * Mixing diagnostics for a chain's scalar trace (the loss) and agreement across seeds.
 * - autocorrelation ρ(t) = Ĉ(t)/Ĉ(0), Ĉ(t) = (1/N)Σ_{i<N−t}(x_i − x̄)(x_{i+t} − x̄) (biased estimator);
 * - integrated autocorrelation time τ = 1 + 2Σ_{t=1}^{W} ρ(t) with Sokal's automatic window: the
 *   smallest W with W ≥ c·τ(W), c = 5 (emcee's choice); τ is clipped to ≥ 1;
 * - effective sample size N/τ.
 */
export function autocorrelation(x: ArrayLike<number>, maxLag = x.length - 1): Float64Array {
  const n = x.length;
  if (n < 2) throw new Error(`autocorrelation: needs at least 2 values, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  const c = new Float64Array(Math.min(maxLag, n - 1) + 1);
  for (let t = 0; t < c.length; t++) {
    let s = 0;
    for (let i = 0; i + t < n; i++) s += (x[i]! - mean) * (x[i + t]! - mean);
    c[t] = s / n;
  }
  const c0 = c[0]!;
  // A constant trace has no fluctuation to correlate: report ρ(0) = 1 and zeros.
  return c.map((v, t) => (c0 > 0 ? v / c0 : t === 0 ? 1 : 0));
}

export function integratedAutocorrTime(x: ArrayLike<number>, c = 5): number {
  const rho = autocorrelation(x, Math.min(x.length - 1, 10_000));
  let tau = 1;
  for (let w = 1; w < rho.length; w++) {
    tau += 2 * rho[w]!;
    if (w >= c * tau) break;
  }
  return Math.max(1, tau);
}

export function effectiveSampleSize(x: ArrayLike<number>): number {
  return x.length / integratedAutocorrTime(x);
}

/**
 * Agreement of several seeds' predictions on the same points: the mean over points of the
 * across-seed variance, divided by the variance of the seed-averaged prediction over points.
 * 0 = identical functions; ~1 = seeds disagree as much as the function varies.
 */
export function seedDisagreement(preds: readonly ArrayLike<number>[]): number {
  const k = preds.length;
  if (k < 2) throw new Error(`seedDisagreement: needs ≥ 2 seeds, got ${k}`);
  const n = preds[0]!.length;
  if (preds.some((p) => p.length !== n)) throw new Error('seedDisagreement: predictions differ in length');
  let within = 0;
  const avg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const p of preds) m += p[i]!;
    m /= k;
    avg[i] = m;
    let v = 0;
    for (const p of preds) v += (p[i]! - m) ** 2;
    within += v / (k - 1);
  }
  within /= n;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += avg[i]!;
  mu /= n;
  let between = 0;
  for (let i = 0; i < n; i++) between += (avg[i]! - mu) ** 2;
  between /= n;
  return between > 0 ? within / between : within === 0 ? 0 : Infinity;
}
