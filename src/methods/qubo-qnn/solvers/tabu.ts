/**
 * Multistart tabu search (after Palubeckis' MST2 as used by dwave-samplers' TabuSampler, simplified:
 * our design). One search: steepest single-flip moves on local fields; a flipped spin is tabu for
 * `tenure` moves (default min(20, n/4), dwave's) unless the move beats the best energy (aspiration);
 * it ends after `stall` moves without a new best. Restarts alternate a fresh random state and the
 * read's best state with ~n/4 random spins flipped. Each read is an independent multistart run.
 */
import { Xoshiro128 } from './rng.ts';
import { checkReads, checkTimeLimit, resultFrom, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';
import { isingEnergy, type IsingModel } from './model.ts';
import { split } from '../../../tensor/prng.ts';

export interface TabuOptions {
  /** Restarts per read (default 10). */
  restarts?: number;
  /** Moves without improvement before a restart (default max(100, 10·n)). */
  stall?: number;
  tenure?: number;
  reads?: number;
}

function fields(m: IsingModel, s: Float64Array, f: Float64Array): void {
  for (let i = 0; i < m.n; i++) {
    let v = m.h[i]!;
    for (let p = m.rowPtr[i]!; p < m.rowPtr[i + 1]!; p++) v += m.val[p]! * s[m.col[p]!]!;
    f[i] = v;
  }
}

export function tabuSearch(o: TabuOptions = {}): IsingSolver {
  const restarts = o.restarts ?? 10;
  if (!Number.isSafeInteger(restarts) || restarts < 1) throw new Error(`tabu: restarts must be a positive integer, got ${restarts}`);
  return {
    name: 'tabu',
    solve(m: IsingModel, opts: SolveOptions): SolveResult {
      const n = m.n;
      const reads = checkReads('tabu', opts.reads, o.reads ?? 1);
      const limit = checkTimeLimit('tabu', opts.timeLimitMs);
      const tenure = o.tenure ?? Math.max(1, Math.min(20, Math.floor(n / 4)));
      const stall = o.stall ?? Math.max(100, 10 * n);
      const t0 = performance.now();
      const deadline = t0 + limit;
      const keys = split(opts.key, reads);
      const out: Int8Array[] = [];
      let timedOut = false;
      const s = new Float64Array(n);
      const f = new Float64Array(n);
      const tabuUntil = new Float64Array(n);
      for (let r = 0; r < reads && !timedOut; r++) {
        const rng = new Xoshiro128(keys[r]!);
        let best = new Float64Array(n);
        let bestE = Infinity;
        for (let rs = 0; rs < restarts; rs++) {
          if (rs % 2 === 0 || bestE === Infinity) for (let i = 0; i < n; i++) s[i] = rng.nextU32() & 1 ? 1 : -1;
          else {
            s.set(best);
            for (let t = 0; t < Math.max(1, n >> 2); t++) {
              const i = rng.int(n);
              s[i] = -s[i]!;
            }
          }
          fields(m, s, f);
          let e = isingEnergy(m, s);
          if (e < bestE) {
            bestE = e;
            best = Float64Array.from(s);
          }
          tabuUntil.fill(0);
          let sinceBest = 0;
          // Improvements must beat the best by a relative margin: with an absolute 1e-12, float drift
          // in the running energy (|E| ~ 10²) can fake a new best every few moves and never stall.
          const tol = (): number => 1e-10 * Math.max(1, Math.abs(bestE));
          const maxMoves = stall + 1000 * Math.max(1, n); // a hard cap per restart, whatever happens
          for (let move = 1; sinceBest < stall && n > 0 && move <= maxMoves; move++) {
            let pick = -1;
            let pickD = Infinity;
            let ties = 0;
            for (let i = 0; i < n; i++) {
              const d = -2 * s[i]! * f[i]!;
              const allowed = tabuUntil[i]! < move || e + d < bestE - tol();
              if (!allowed) continue;
              if (d < pickD - 1e-12) {
                pickD = d;
                pick = i;
                ties = 1;
              } else if (Math.abs(d - pickD) <= 1e-12 && rng.int(++ties) === 0) pick = i; // uniform among ties
            }
            if (pick < 0) {
              tabuUntil.fill(0);
              continue;
            }
            const ns = -s[pick]!;
            s[pick] = ns;
            e += pickD;
            for (let p = m.rowPtr[pick]!; p < m.rowPtr[pick + 1]!; p++) f[m.col[p]!]! += m.val[p]! * 2 * ns;
            tabuUntil[pick] = move + tenure;
            if (e < bestE - tol()) {
              bestE = isingEnergy(m, s);
              best = Float64Array.from(s);
              sinceBest = 0;
            } else sinceBest++;
            if ((move & 255) === 0 && performance.now() > deadline) {
              timedOut = true;
              break;
            }
          }
          if (timedOut) break;
        }
        if (bestE < Infinity) out.push(Int8Array.from(best));
      }
      return resultFrom('tabu', m, out, performance.now() - t0, timedOut, {
        restarts,
        stall,
        tenure,
        reads,
        ...(opts.timeLimitMs ? { timeLimitMs: opts.timeLimitMs, readsCompleted: out.length } : {}),
      });
    },
  };
}
