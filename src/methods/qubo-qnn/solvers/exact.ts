/**
 * Exact enumeration of all 2ⁿ spin states in Gray-code order: consecutive states differ in one
 * spin, so each step costs one local-field update (O(degree)) instead of a full energy. The
 * ground-state reference for tests and the solver experiment; refused above maxN (default 24).
 */
import { resultFrom, checkTimeLimit, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';
import type { IsingModel } from './model.ts';
import { isingEnergy } from './model.ts';

export interface ExactOptions {
  /** Largest n accepted (default 24: 16.7 M states). */
  maxN?: number;
}

export interface ExactResult extends SolveResult {
  /** Number of states at the minimum energy (within 1e-9 relative). */
  readonly degeneracy: number;
}

export function exactSolver(o: ExactOptions = {}): IsingSolver & { solve(m: IsingModel, opts?: Partial<SolveOptions>): ExactResult } {
  const maxN = o.maxN ?? 24;
  if (!(Number.isInteger(maxN) && maxN >= 0 && maxN <= 30)) throw new Error(`exact: maxN must be an integer in [0, 30], got ${maxN}`);
  return {
    name: 'exact',
    solve(m: IsingModel, opts: Partial<SolveOptions> = {}): ExactResult {
      const n = m.n;
      if (n > maxN) throw new Error(`exact: n = ${n} is above maxN = ${maxN} (2^${n} states); use sa, tabu or sb`);
      const limit = checkTimeLimit('exact', opts.timeLimitMs);
      const t0 = performance.now();
      const s = new Float64Array(n).fill(-1);
      // Local fields f_i = h_i + Σ_j J_ij s_j; flipping spin k changes E by −2 s_k f_k.
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let v = m.h[i]!;
        for (let p = m.rowPtr[i]!; p < m.rowPtr[i + 1]!; p++) v += m.val[p]! * s[m.col[p]!]!;
        f[i] = v;
      }
      let e = isingEnergy(m, s);
      let bestE = e;
      let best = Float64Array.from(s);
      let degeneracy = 1;
      const total = 2 ** n;
      let timedOut = false;
      for (let g = 1; g < total; g++) {
        // The bit that changes between gray(g−1) and gray(g) is the lowest set bit of g.
        const k = 31 - Math.clz32(g & -g);
        const sk = s[k]!;
        e -= 2 * sk * f[k]!;
        s[k] = -sk;
        const d = -2 * sk;
        for (let p = m.rowPtr[k]!; p < m.rowPtr[k + 1]!; p++) f[m.col[p]!]! += m.val[p]! * d;
        const tol = 1e-9 * Math.max(1, Math.abs(bestE));
        if (e < bestE - tol) {
          bestE = e;
          best = Float64Array.from(s);
          degeneracy = 1;
        } else if (Math.abs(e - bestE) <= tol) degeneracy++;
        if ((g & 0xffff) === 0 && performance.now() - t0 > limit) {
          timedOut = true;
          break;
        }
      }
      const r = resultFrom('exact', m, [Int8Array.from(best)], performance.now() - t0, timedOut, {
        maxN,
        ...(opts.timeLimitMs ? { timeLimitMs: opts.timeLimitMs } : {}),
      });
      return { ...r, degeneracy };
    },
  };
}
