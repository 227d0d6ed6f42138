/**
 * The noisy quadratic model (NQM): loss ½ θᵀHθ with H = diag(h), stochastic gradient Hθ + ε,
 * ε ~ N(0, C/B) with C = diag(c), θ₀ ~ N(0, s₀·I). Every optimizer here is linear, so θ stays
 * zero-mean Gaussian with a diagonal covariance: the state is one second moment per dimension,
 * and dimensions with equal (h, c) can be merged into a weighted group ("bin").
 */

export type Binning = 'exact' | 'bins';

export interface NqmOptions {
  /** Number of dimensions (default 10⁴). */
  d?: number;
  /** hᵢ for i = 1…d, 1-based (default 1/i). Must be positive and non-increasing in i. */
  spectrum?: (i: number) => number;
  /** cᵢ as a function of hᵢ: the per-example gradient-noise variance (default c = h, i.e. C = H). */
  covariance?: (h: number) => number;
  /** 'bins' (default, the notebook's): `bins` geometric bins from h₁ to h_d, each represented by its lower edge; 'exact': every dimension. */
  binning?: Binning;
  bins?: number;
  /** E[θ₀ᵢ²] (default 1, the notebook's INIT_DIST). */
  initVariance?: number;
}

export interface Nqm {
  readonly d: number;
  readonly binning: Binning;
  /** One entry per group (a bin with at least one dimension, or a single dimension). */
  readonly h: Float64Array;
  readonly c: Float64Array;
  /** How many dimensions each group stands for (sums to d). */
  readonly count: Float64Array;
  readonly initVariance: number;
}

/** The notebook's `toy_problem`: geomspace(h₁, h_d, n) bin edges, each hᵢ counted in the first bin whose edge it reaches. */
export function geometricBins(h: Float64Array, n: number): { edges: Float64Array; counts: Float64Array } {
  if (!Number.isInteger(n) || n < 2) throw new Error(`nqm: bins must be an integer ≥ 2, got ${n}`);
  const edges = geomspace(h[0]!, h[h.length - 1]!, n);
  const counts = new Float64Array(n);
  let bin = 0;
  let i = 0;
  while (i < h.length) {
    // The last edge equals h_d, so every value lands in some bin (bin < n always holds here).
    while (i < h.length && h[i]! >= edges[bin]!) {
      counts[bin]! += 1;
      i++;
    }
    bin++;
    if (bin >= n && i < h.length) throw new Error('nqm: spectrum is not non-increasing (binning ran past the last edge)');
  }
  return { edges, counts };
}

export function geomspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const la = Math.log(a);
  const lb = Math.log(b);
  for (let i = 0; i < n; i++) out[i] = Math.exp(la + ((lb - la) * i) / (n - 1));
  out[0] = a;
  out[n - 1] = b;
  return out;
}

export function makeNqm(o: NqmOptions = {}): Nqm {
  const d = o.d ?? 10_000;
  if (!Number.isInteger(d) || d < 1) throw new Error(`nqm: d must be a positive integer, got ${d}`);
  const spectrum = o.spectrum ?? ((i: number) => 1 / i);
  const covariance = o.covariance ?? ((h: number) => h);
  const binning = o.binning ?? 'bins';
  if (binning !== 'exact' && binning !== 'bins') throw new Error(`nqm: binning must be 'exact' or 'bins', got ${String(binning)}`);
  const initVariance = o.initVariance ?? 1;
  if (!(initVariance > 0) || !Number.isFinite(initVariance)) throw new Error(`nqm: initVariance must be positive, got ${initVariance}`);
  const full = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const v = spectrum(i + 1);
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`nqm: spectrum(${i + 1}) must be positive and finite, got ${v}`);
    if (i > 0 && v > full[i - 1]!) throw new Error(`nqm: spectrum must be non-increasing (h${i + 1} = ${v} > h${i} = ${full[i - 1]})`);
    full[i] = v;
  }
  let h: Float64Array;
  let count: Float64Array;
  if (binning === 'exact' || d === 1) {
    h = full;
    count = new Float64Array(d).fill(1);
  } else {
    const { edges, counts } = geometricBins(full, o.bins ?? 100);
    // Empty bins carry no loss; dropping them keeps 0·∞ = NaN out of unstable settings.
    const keep = [...counts.keys()].filter((b) => counts[b]! > 0);
    h = Float64Array.from(keep, (b) => edges[b]!);
    count = Float64Array.from(keep, (b) => counts[b]!);
  }
  const c = h.map((v) => {
    const cv = covariance(v);
    if (!(cv >= 0) || !Number.isFinite(cv)) throw new Error(`nqm: covariance(${v}) must be ≥ 0 and finite, got ${cv}`);
    return cv;
  });
  return { d, binning, h, c, count, initVariance };
}

/** E[L] = ½ Σ countᵢ hᵢ sᵢ for second moments s (one per group). */
export function expectedLoss(nqm: Nqm, s: ArrayLike<number>): number {
  let l = 0;
  for (let i = 0; i < nqm.h.length; i++) l += nqm.count[i]! * nqm.h[i]! * s[i]!;
  return 0.5 * l;
}

/** The information-theoretic lower bound on steps: after N = kB samples the best estimator's risk is d/(2N), so k ≥ d/(2·target·B). */
export function lowerBoundSteps(d: number, target: number, batchSize: number): number {
  checkTarget(target);
  checkBatchSize(batchSize);
  return d / (2 * target * batchSize);
}

export function checkPrecondition(p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`nqm: preconditioner power p must be in [0, 1], got ${p}`);
}
export function checkBatchSize(b: number): void {
  if (typeof b !== 'number' || !(b > 0) || !Number.isFinite(b)) throw new Error(`nqm: batch size must be positive, got ${b}`);
}
export function checkTarget(t: number): void {
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw new Error(`nqm: target loss must be > 0, got ${t}`);
}
export function checkLr(a: number): void {
  if (typeof a !== 'number' || !(a > 0) || !Number.isFinite(a)) throw new Error(`nqm: learning rate must be positive, got ${a}`);
}
