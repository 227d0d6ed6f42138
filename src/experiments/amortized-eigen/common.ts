/**
 * Shared by the amortized-eigen experiments: per-step wall-clock timing (kept out of
 * metrics.jsonl: it goes to the run result and tables only), the paper's speed-up
 * (t1 − t0)/(t2 − t0), and parity checks.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { matmul, mul, transpose } from '../../tensor/ops.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { qr } from '../../linalg/index.ts';

export const PAPER = 'Li, Shi, Zhao & Lin (NeurIPS 2024), "Amortized Eigendecomposition for Neural Networks"';

/** Per-step times; the median resists the bursts of other tenants on a shared machine. */
export class StepTimer {
  private readonly samples: number[] = [];
  time<T>(fn: () => T): T {
    const t0 = performance.now();
    const r = fn();
    this.samples.push(performance.now() - t0);
    return r;
  }
  medianMs(): number {
    const s = [...this.samples].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
  }
}

/** (t1 − t0)/(t2 − t0): how much cheaper the spectral part became (Table 1 of the paper). */
export const speedUp = (t0: number, t1: number, t2: number): number => (t1 - t0) / (t2 - t0);

/** |a − b| ≤ pct % of |b|. */
export const withinPct = (a: number, b: number, pct: number): boolean => Math.abs(a - b) <= (pct / 100) * Math.abs(b);

export const relDiffPct = (a: number, b: number): number => (100 * Math.abs(a - b)) / Math.abs(b);

/** Speed-up > 1 at every size and non-decreasing with size (sizes in increasing order). */
export const growingSpeedUps = (s: readonly number[]): boolean => s.every((x, i) => x > 1 && (i === 0 || x >= s[i - 1]!));

/** Exactly symmetric A = Q·diag(λ)·Qᵀ with a Haar-random orthogonal Q. */
export function symmetricWithSpectrum(key: Key, values: readonly number[]): Tensor {
  const n = values.length;
  const q = qr(random.normal(key, [n, n])).Q;
  const a = matmul(mul(q, new Tensor(Float64Array.from(values), [n], 'float64')), transpose(q));
  const d = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) d[i * n + j] = d[j * n + i]!;
  return new Tensor(d, [n, n], 'float64');
}

export const fmtNum = (x: number, digits = 3): number => Number(x.toPrecision(digits));
