/**
 * The one interface every Ising solver implements (exact, SA, tabu, SB, the noisy wrapper, an
 * external command). Solvers are synchronous so an oracle call inside QCGD is a plain call.
 */
import type { Key } from '../../../tensor/prng.ts';
import { bitsToSpins, quboToIsing, spinsToBits } from './convert.ts';
import { isingEnergy, type IsingModel, type Qubo } from './model.ts';

export interface SolveOptions {
  /** Seeds the solver's local generator; same key → same result. */
  readonly key: Key;
  /** Independent reads (restarts / agents); solver default when omitted. */
  readonly reads?: number;
  /** Wall-clock budget in ms; on expiry the solver stops and returns what it has with timedOut = true. */
  readonly timeLimitMs?: number;
}

export interface Sample {
  readonly spins: Int8Array;
  readonly energy: number;
}

export interface SolveResult {
  readonly solver: string;
  /** Lowest-energy sample over all reads. */
  readonly best: Sample;
  /** One entry per completed read (in read order). */
  readonly samples: readonly Sample[];
  readonly timeMs: number;
  /** True when the time limit stopped the solver early: the result is partial. */
  readonly timedOut: boolean;
  /** The settings actually used (defaults filled in), for reports and the CLI. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface IsingSolver {
  readonly name: string;
  solve(model: IsingModel, opts: SolveOptions): SolveResult;
}

/** Builds a result from per-read spin vectors; energies are recomputed on the model given. */
export function resultFrom(
  solver: string,
  model: IsingModel,
  reads: readonly Int8Array[],
  timeMs: number,
  timedOut: boolean,
  settings: Record<string, unknown>,
): SolveResult {
  const samples = reads.map((spins) => ({ spins, energy: isingEnergy(model, spins) }));
  if (samples.length === 0) throw new Error(`${solver}: the time limit (${settings['timeLimitMs']} ms) expired before one read finished`);
  let best = samples[0]!;
  for (const s of samples) if (s.energy < best.energy) best = s;
  return { solver, best, samples, timeMs, timedOut, settings };
}

export function checkReads(where: string, reads: number | undefined, dflt: number): number {
  const r = reads ?? dflt;
  if (!Number.isSafeInteger(r) || r < 1) throw new Error(`${where}: reads must be a positive integer, got ${r}`);
  return r;
}

export function checkTimeLimit(where: string, ms: number | undefined): number {
  if (ms === undefined) return Infinity;
  if (!(ms > 0)) throw new Error(`${where}: timeLimitMs must be positive, got ${ms}`);
  return ms;
}

export interface QuboSolution {
  readonly x: Uint8Array;
  readonly energy: number;
  readonly result: SolveResult;
}

/** Solves a QUBO with any Ising solver: converts, solves, maps the best spins back to bits. */
export function solveQubo(solver: IsingSolver, q: Qubo, opts: SolveOptions): QuboSolution {
  const model = quboToIsing(q);
  const result = solver.solve(model, opts);
  return { x: spinsToBits(result.best.spins), energy: result.best.energy, result };
}

export { bitsToSpins };
