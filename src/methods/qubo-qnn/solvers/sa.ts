/**
 * Simulated annealing with dwave-samplers' defaults: Metropolis single-spin sweeps in fixed order,
 * a geometric β schedule over `sweeps` steps from the default β range (beta-range.ts), random
 * initial states, one final state per read. The inner loop keeps local fields f_i = h_i + Σ J_ij s_j
 * (flip cost Δ = −2 s_i f_i) and updates only the flipped spin's CSR row on acceptance; xoshiro128**
 * is inlined in the loop (state in locals) and a flip with βΔ above ~22 is rejected without drawing
 * a number (acceptance < 2⁻³², as in dwave's C++).
 */
import { Xoshiro128 } from './rng.ts';
import { defaultBetaRange, geometricSchedule } from './beta-range.ts';
import { checkReads, checkTimeLimit, resultFrom, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';
import type { IsingModel } from './model.ts';
import { split } from '../../../tensor/prng.ts';

export interface SaOptions {
  /** Sweeps per read (dwave default 1000). */
  sweeps?: number;
  /** [β_hot, β_cold]; default: dwave's rule. */
  betaRange?: [number, number];
  /** Reads when SolveOptions.reads is omitted (dwave default 1). */
  reads?: number;
}

/** ln(2³²): above this βΔ the acceptance e^{−βΔ} is below the generator's resolution. */
const SKIP = 22.18;

/**
 * Anneals `spins` in place through `betas` (one sweep each) and returns the attempted flips.
 * Exposed for the bench: this is the whole hot path.
 */
export function annealInPlace(
  m: IsingModel,
  spins: Float64Array,
  betas: Float64Array,
  rngState: Int32Array,
  deadline = Infinity,
): { flips: number; sweeps: number } {
  const n = m.n;
  const { h, rowPtr, col, val } = m;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = h[i]!;
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) v += val[p]! * spins[col[p]!]!;
    f[i] = v;
  }
  let a = rngState[0]! | 0,
    b = rngState[1]! | 0,
    c = rngState[2]! | 0,
    d = rngState[3]! | 0;
  let sweeps = 0;
  for (let k = 0; k < betas.length; k++) {
    const beta = betas[k]!;
    for (let i = 0; i < n; i++) {
      const si = spins[i]!;
      const delta = -2 * si * f[i]!;
      const bd = beta * delta;
      let accept = bd <= 0;
      if (!accept && bd < SKIP) {
        // xoshiro128** step, inlined.
        const x = Math.imul(b, 5);
        const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        const t = b << 9;
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= t;
        d = (d << 11) | (d >>> 21);
        accept = r * 2.3283064365386963e-10 < Math.exp(-bd);
      }
      if (accept) {
        const ns = -si;
        spins[i] = ns;
        const dd = 2 * ns;
        for (let p = rowPtr[i]!, e = rowPtr[i + 1]!; p < e; p++) f[col[p]!]! += val[p]! * dd;
      }
    }
    sweeps++;
    // One clock read per sweep: negligible next to n flips.
    if (deadline !== Infinity && performance.now() > deadline) break;
  }
  rngState[0] = a;
  rngState[1] = b;
  rngState[2] = c;
  rngState[3] = d;
  return { flips: sweeps * n, sweeps };
}

export function simulatedAnnealing(o: SaOptions = {}): IsingSolver {
  const sweeps = o.sweeps ?? 1000;
  if (!Number.isSafeInteger(sweeps) || sweeps < 1) throw new Error(`sa: sweeps must be a positive integer, got ${sweeps}`);
  return {
    name: 'sa',
    solve(m: IsingModel, opts: SolveOptions): SolveResult {
      const reads = checkReads('sa', opts.reads, o.reads ?? 1);
      const limit = checkTimeLimit('sa', opts.timeLimitMs);
      const [hot, cold] = o.betaRange ?? defaultBetaRange(m);
      if (!(hot > 0 && cold > 0)) throw new Error(`sa: betaRange must be positive, got [${hot}, ${cold}]`);
      const betas = geometricSchedule(hot, cold, sweeps);
      const t0 = performance.now();
      const deadline = t0 + limit;
      const keys = split(opts.key, reads);
      const out: Int8Array[] = [];
      let timedOut = false;
      for (let r = 0; r < reads; r++) {
        const rng = new Xoshiro128(keys[r]!);
        const s = new Float64Array(m.n);
        for (let i = 0; i < m.n; i++) s[i] = rng.nextU32() & 1 ? 1 : -1;
        const state = rng.state();
        const done = annealInPlace(m, s, betas, state, deadline);
        // A read cut short by the deadline is still returned (its state is valid), but flagged.
        out.push(Int8Array.from(s));
        if (done.sweeps < sweeps || performance.now() > deadline) {
          timedOut = done.sweeps < sweeps || r < reads - 1;
          break;
        }
      }
      return resultFrom('sa', m, out, performance.now() - t0, timedOut, {
        sweeps,
        reads,
        betaRange: [hot, cold],
        schedule: 'geometric',
        ...(opts.timeLimitMs ? { timeLimitMs: opts.timeLimitMs, readsCompleted: out.length } : {}),
      });
    },
  };
}
