/**
 * A noisy oracle that mimics analog Ising hardware around any solver: the coefficients (h, J) are
 * rounded to b-bit signed integers on a common scale (max |coefficient| ↦ 2^{b−1} − 1) before the
 * inner solver sees them, and each read fails with probability `failureRate`, returning a uniformly
 * random spin state instead. Energies are always re-evaluated on the true model.
 */
import { Xoshiro128 } from './rng.ts';
import { isingModel, isingCouplings, type IsingModel } from './model.ts';
import { resultFrom, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';
import { foldIn } from '../../../tensor/prng.ts';

export interface NoisyOptions {
  /** Coefficient bits including sign (≥ 2); omit for full precision. */
  bits?: number;
  /** Probability that a read returns a random state (default 0). */
  failureRate?: number;
}

/** The model with h and J rounded to `bits`-bit integers times one scale. */
export function quantizeModel(m: IsingModel, bits: number): IsingModel {
  if (!Number.isInteger(bits) || bits < 2 || bits > 52) throw new Error(`noisy: bits must be an integer in [2, 52], got ${bits}`);
  let max = 0;
  for (const v of m.h) max = Math.max(max, Math.abs(v));
  for (const v of m.val) max = Math.max(max, Math.abs(v));
  if (max === 0) return m;
  const levels = 2 ** (bits - 1) - 1;
  const scale = max / levels;
  const q = (v: number): number => Math.round(v / scale) * scale;
  return isingModel(
    Array.from(m.h, q),
    isingCouplings(m).map(({ i, j, v }) => ({ i, j, v: q(v) })),
    m.offset,
  );
}

export function noisyOracle(inner: IsingSolver, o: NoisyOptions = {}): IsingSolver {
  const failureRate = o.failureRate ?? 0;
  if (!(failureRate >= 0 && failureRate <= 1)) throw new Error(`noisy: failureRate must be in [0, 1], got ${failureRate}`);
  const name = `noisy(${inner.name}${o.bits !== undefined ? `, ${o.bits} bits` : ''}${failureRate ? `, fail ${failureRate}` : ''})`;
  return {
    name,
    solve(m: IsingModel, opts: SolveOptions): SolveResult {
      const seen = o.bits !== undefined ? quantizeModel(m, o.bits) : m;
      const r = inner.solve(seen, { ...opts, key: foldIn(opts.key, 'inner') });
      const rng = new Xoshiro128(foldIn(opts.key, 'failures'));
      let failures = 0;
      const reads = r.samples.map((smp) => {
        if (failureRate > 0 && rng.next() < failureRate) {
          failures++;
          return Int8Array.from({ length: m.n }, () => (rng.nextU32() & 1 ? 1 : -1));
        }
        return smp.spins;
      });
      return resultFrom(name, m, reads, r.timeMs, r.timedOut, { ...r.settings, inner: inner.name, bits: o.bits ?? null, failureRate, failures });
    },
  };
}
