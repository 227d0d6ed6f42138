/**
 * The ℋ_K basis: eigen-decay μ_m = m^−p (m = 1…M) and the fixed output scales a_m = μ_m^α.
 * The prior N(0, μ_m/(λβ)) and the semi-implicit factor s_m both act per neuron index m, so
 * neurons are *not* exchangeable (papers/6-langevin.md, pitfalls): neuron 1 is the loosest.
 */
export function eigenDecay(width: number, p: number): Float64Array {
  if (!Number.isInteger(width) || width < 1) throw new Error(`langevin: width M must be an integer ≥ 1, got ${String(width)}`);
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 1)
    throw new Error(`langevin: eigen-decay exponent p must be a finite number > 1 (Σμ_m must converge), got ${String(p)}`);
  const mu = new Float64Array(width);
  for (let m = 0; m < width; m++) mu[m] = (m + 1) ** -p;
  return mu;
}

/** a_m = μ_m^α (α ≥ 1/2 in the paper's assumptions; we accept α ≥ 0). */
export function outputScales(mu: Float64Array, alpha: number): Float64Array {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0)
    throw new Error(`langevin: output-scale exponent alpha must be a finite number ≥ 0, got ${String(alpha)}`);
  return mu.map((m) => m ** alpha);
}

/** Validates a user-given μ (positive, finite) and returns it as a Float64Array. */
export function checkMu(op: string, mu: ArrayLike<number>): Float64Array {
  if (!mu || typeof mu.length !== 'number' || mu.length === 0)
    throw new Error(`${op}: mu must be a non-empty array of positive numbers (μ_m per neuron; width M = 0 is not a model)`);
  const out = Float64Array.from(mu);
  out.forEach((v, i) => {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${op}: mu[${i}] must be a finite number > 0, got ${v}`);
  });
  return out;
}
