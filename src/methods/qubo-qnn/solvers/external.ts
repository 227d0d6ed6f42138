/**
 * An external sampler as an IsingSolver: the model goes to a command's stdin as JSON and the
 * command answers with spin samples on stdout. Protocol (one JSON object each way):
 *   in:  { "n": 3, "h": [..], "J": [[i, j, v], ..], "offset": c, "reads": R, "seed": 12345, "timeLimitMs": T|null }
 *        energy E(s) = offset + Σ h_i s_i + Σ J_ij s_i s_j over the listed pairs (i < j)
 *   out: { "samples": [[±1, ..], ..] }   (any number ≥ 1 of samples; energies are recomputed here)
 * A real Ising machine's client plugs in by wrapping its API in such a command (or by implementing
 * IsingSolver directly). See external-example.mjs for a runnable one.
 */
import { spawnSync } from 'node:child_process';
import { randomBits } from '../../../tensor/prng.ts';
import { isingCouplings, type IsingModel } from './model.ts';
import { resultFrom, type IsingSolver, type SolveOptions, type SolveResult } from './solver.ts';

export function externalSolver(command: string, args: readonly string[] = [], o: { name?: string; reads?: number } = {}): IsingSolver {
  const name = o.name ?? `external(${command})`;
  return {
    name,
    solve(m: IsingModel, opts: SolveOptions): SolveResult {
      const reads = opts.reads ?? o.reads ?? 1;
      const input = JSON.stringify({
        n: m.n,
        h: Array.from(m.h),
        J: isingCouplings(m).map(({ i, j, v }) => [i, j, v]),
        offset: m.offset,
        reads,
        seed: randomBits(opts.key, 1)[0],
        timeLimitMs: opts.timeLimitMs ?? null,
      });
      const t0 = performance.now();
      const r = spawnSync(command, [...args], { input, encoding: 'utf8', maxBuffer: 1 << 28, ...(opts.timeLimitMs ? { timeout: opts.timeLimitMs } : {}) });
      const timeMs = performance.now() - t0;
      if (r.error) throw new Error(`${name}: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`${name}: exited with ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').at(-1) ?? ''}`);
      let out: unknown;
      try {
        out = JSON.parse(r.stdout);
      } catch {
        throw new Error(`${name}: stdout is not JSON: ${r.stdout.slice(0, 80)}`);
      }
      const samples = (out as { samples?: unknown }).samples;
      if (!Array.isArray(samples) || samples.length === 0) throw new Error(`${name}: the answer has no "samples" array`);
      const spins = samples.map((s, k) => {
        if (!Array.isArray(s) || s.length !== m.n || s.some((v) => v !== 1 && v !== -1))
          throw new Error(`${name}: sample ${k} is not a list of ${m.n} values ±1`);
        return Int8Array.from(s as number[]);
      });
      return resultFrom(name, m, spins, timeMs, false, { command, args: [...args], reads });
    },
  };
}
