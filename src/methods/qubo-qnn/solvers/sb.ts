/**
 * Simulated bifurcation (Goto et al. 2019/2021), ballistic (φ = identity) and discrete (φ = sign),
 * with the defaults of the `simulated-bifurcation` package: positions and momenta from U[−1, 1],
 * Δt = 0.1, pressure p(t) = min(0.01·Δt·step, 1), c₀ = 0.5·√(N−1)/‖J‖_F, inelastic walls at |x| = 1,
 * spins = sign(x). The package's energy is −½ sᵀJ_SB s + hᵀs; ours is Σh s + Σ_{i<j} J s s, so
 * J_SB = −J. Linear terms are folded in as couplings to one extra spin (homogenization) and the
 * answer is multiplied by that spin's sign. Each agent is one read. Early stop: every 50 steps the
 * agents' spins are sampled; after `window` unchanged samples in a row the run stops.
 */
import { Xoshiro128 } from './rng.ts';
import { checkReads, checkTimeLimit, resultFrom, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';
import type { IsingModel } from './model.ts';

export interface SbOptions {
  mode?: 'ballistic' | 'discrete';
  /** Maximum steps (default 2000; the package's is 10000). */
  steps?: number;
  dt?: number;
  /** Agents when SolveOptions.reads is omitted (default 32; the package's is 128). */
  reads?: number;
  /** Unchanged samples (every 50 steps) before stopping early (default 10; 0 disables). */
  window?: number;
}

export function simulatedBifurcation(o: SbOptions = {}): IsingSolver {
  const mode = o.mode ?? 'ballistic';
  const maxSteps = o.steps ?? 2000;
  const dt = o.dt ?? 0.1;
  const window = o.window ?? 10;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) throw new Error(`sb: steps must be a positive integer, got ${maxSteps}`);
  return {
    name: mode === 'ballistic' ? 'sb-ballistic' : 'sb-discrete',
    solve(m: IsingModel, opts: SolveOptions): SolveResult {
      const reads = checkReads('sb', opts.reads, o.reads ?? 32);
      const limit = checkTimeLimit('sb', opts.timeLimitMs);
      const t0 = performance.now();
      const n = m.n;
      const N = n + 1; // spin n carries the linear terms
      // Force rows: F_i = Σ_j K_ij φ(x_j) with K = J_SB = −J (and −h to the extra spin).
      const hasH = m.h.some((v) => v !== 0);
      let fro2 = 0;
      for (let p = 0; p < m.val.length; p++) fro2 += m.val[p]! ** 2;
      for (let i = 0; i < n; i++) fro2 += 2 * m.h[i]! ** 2;
      const c0 = fro2 > 0 ? (0.5 * Math.sqrt(Math.max(1, N - 1))) / Math.sqrt(fro2) : 0;
      const rng = new Xoshiro128(opts.key);
      const x = new Float64Array(reads * N);
      const y = new Float64Array(reads * N);
      for (let k = 0; k < x.length; k++) {
        x[k] = 2 * rng.next() - 1;
        y[k] = 2 * rng.next() - 1;
      }
      const phi = new Float64Array(N);
      const last = new Int8Array(reads * N);
      let same = 0;
      let timedOut = false;
      let step = 0;
      for (step = 0; step < maxSteps; step++) {
        const p = Math.min(dt * step * 0.01, 1);
        for (let a = 0; a < reads; a++) {
          const o2 = a * N;
          for (let i = 0; i < N; i++) {
            y[o2 + i]! += dt * (p - 1) * x[o2 + i]!;
            x[o2 + i]! += dt * y[o2 + i]!;
          }
          for (let i = 0; i < N; i++) {
            const xi = x[o2 + i]!;
            phi[i] = mode === 'ballistic' ? xi : xi > 0 ? 1 : xi < 0 ? -1 : 0;
          }
          const xn = hasH ? phi[n]! : 0;
          for (let i = 0; i < n; i++) {
            let force = -m.h[i]! * xn;
            for (let q = m.rowPtr[i]!; q < m.rowPtr[i + 1]!; q++) force -= m.val[q]! * phi[m.col[q]!]!;
            y[o2 + i]! += dt * c0 * force;
          }
          if (hasH) {
            let force = 0;
            for (let i = 0; i < n; i++) force -= m.h[i]! * phi[i]!;
            y[o2 + n]! += dt * c0 * force;
          } else y[o2 + n] = 0;
          for (let i = 0; i < N; i++) {
            const xi = x[o2 + i]!;
            if (xi > 1 || xi < -1) {
              x[o2 + i] = xi > 0 ? 1 : -1;
              y[o2 + i] = 0;
            }
          }
        }
        if (step % 50 === 49) {
          if (window > 0) {
            let changed = false;
            for (let k = 0; k < x.length; k++) {
              const sg = x[k]! >= 0 ? 1 : -1;
              if (sg !== last[k]) {
                changed = true;
                last[k] = sg;
              }
            }
            same = changed ? 0 : same + 1;
            if (same >= window) {
              step++;
              break;
            }
          }
          if (performance.now() - t0 > limit) {
            timedOut = true;
            step++;
            break;
          }
        }
      }
      const out: Int8Array[] = [];
      for (let a = 0; a < reads; a++) {
        const ref = x[a * N + n]! >= 0 ? 1 : -1;
        const s = new Int8Array(n);
        for (let i = 0; i < n; i++) s[i] = (x[a * N + i]! >= 0 ? 1 : -1) * (hasH ? ref : 1);
        out.push(s);
      }
      return resultFrom(mode === 'ballistic' ? 'sb-ballistic' : 'sb-discrete', m, out, performance.now() - t0, timedOut, {
        mode,
        steps: step,
        maxSteps,
        dt,
        agents: reads,
        c0,
        window,
      });
    },
  };
}
