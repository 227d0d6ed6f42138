/**
 * A Monte-Carlo simulator of the same NQM, to check the closed forms: `runs` independent chains,
 * θ₀ ~ N(0, s₀), and at every step a sampled gradient g = Hθ + ε with ε ~ N(0, C/B) (the mean of B
 * per-example noises, drawn directly from its exact distribution). All randomness comes from
 * explicit PRNG keys; every setting sees the same draws (common random numbers), which leaves each
 * estimate unbiased. A group standing for `count` dimensions is simulated once and weighted by its
 * count (unbiased for the expectation; use binning 'exact' for the plain d-dimensional model).
 */
import { foldIn, normal, type Key } from '../../tensor/prng.ts';
import { checkSetting, type Setting } from './dynamics.ts';
import { checkBatchSize, type Nqm } from './problem.ts';

export interface MonteCarloOptions {
  runs: number;
  steps: number;
  key: Key;
}

export interface MonteCarloResult {
  setting: Setting;
  /** Mean loss over runs after `steps` steps. */
  mean: number;
  /** Its standard error (sample std / √runs). */
  stdError: number;
}

export function monteCarlo(nqm: Nqm, settings: readonly Setting[], batchSize: number, o: MonteCarloOptions): MonteCarloResult[] {
  settings.forEach(checkSetting);
  checkBatchSize(batchSize);
  if (!Number.isInteger(o.runs) || o.runs < 2) throw new Error(`monteCarlo: runs must be an integer ≥ 2, got ${o.runs}`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`monteCarlo: steps must be a non-negative integer, got ${o.steps}`);
  const n = nqm.h.length;
  const size = o.runs * n;
  const init = normal(foldIn(o.key, 'init'), size) as Float64Array;
  const sd0 = Math.sqrt(nqm.initVariance);
  const noiseSd = nqm.c.map((c) => Math.sqrt(c / batchSize));
  const states = settings.map((s) => {
    const theta = init.map((z) => z * sd0);
    return {
      s,
      prec: nqm.h.map((h) => s.lr * Math.pow(h, -s.p)),
      theta,
      m: new Float64Array(size),
      avg: Float64Array.from(theta),
    };
  });
  for (let t = 0; t < o.steps; t++) {
    const eps = normal(foldIn(o.key, t), size) as Float64Array;
    for (const st of states) {
      const { theta, m, avg, prec, s } = st;
      const beta = s.method === 'momentum' ? (s.coef ?? 0) : 0;
      const gamma = s.method === 'ema' ? (s.coef ?? 0) : 0;
      for (let r = 0; r < o.runs; r++) {
        const base = r * n;
        for (let g = 0; g < n; g++) {
          const i = base + g;
          const grad = nqm.h[g]! * theta[i]! + noiseSd[g]! * eps[i]!;
          if (s.method === 'momentum') {
            m[i] = beta * m[i]! + grad; // PyTorch form: the buffer accumulates raw gradients
            theta[i] = theta[i]! - prec[g]! * m[i]!;
          } else {
            theta[i] = theta[i]! - prec[g]! * grad;
            if (s.method === 'ema') avg[i] = gamma * avg[i]! + (1 - gamma) * theta[i]!;
          }
        }
      }
    }
  }
  return states.map(({ s, theta, avg }) => {
    const read = s.method === 'ema' ? avg : theta;
    let sum = 0;
    let sumSq = 0;
    for (let r = 0; r < o.runs; r++) {
      let l = 0;
      for (let g = 0; g < n; g++) l += 0.5 * nqm.count[g]! * nqm.h[g]! * read[r * n + g]! ** 2;
      sum += l;
      sumSq += l * l;
    }
    const mean = sum / o.runs;
    const variance = Math.max(0, (sumSq - o.runs * mean * mean) / (o.runs - 1));
    return { setting: s, mean, stdError: Math.sqrt(variance / o.runs) };
  });
}
