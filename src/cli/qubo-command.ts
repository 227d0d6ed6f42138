/**
 * `trainscope qubo solve FILE.json --solver exact|sa|tabu|sb [--seed N] [--reads R] [--time-limit S] [--json]`
 *
 * FILE holds { "Q": [[…]] }: a square matrix; the command minimizes xᵀQx over x ∈ {0,1}ⁿ with the
 * matrix as given, so the coefficient of x_i x_j is Q_ij + Q_ji. An upper-triangular file and its
 * symmetric half-split describe the same problem; a non-symmetric matrix is accepted and
 * symmetrized (which leaves xᵀQx unchanged) and the output says so. Bad input (not square, not
 * finite, empty, unreadable) is one line on stderr and exit 2; a time limit that stops the solver
 * early gives exit 0 with the result flagged `"timedOut": true` (partial).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { key } from '../tensor/prng.ts';
import { quboFromMatrix } from '../methods/qubo-qnn/solvers/convert.ts';
import { quboEnergy } from '../methods/qubo-qnn/solvers/model.ts';
import { solveQubo, type IsingSolver } from '../methods/qubo-qnn/solvers/solver.ts';
import { exactSolver } from '../methods/qubo-qnn/solvers/exact.ts';
import { simulatedAnnealing } from '../methods/qubo-qnn/solvers/sa.ts';
import { tabuSearch } from '../methods/qubo-qnn/solvers/tabu.ts';
import { simulatedBifurcation } from '../methods/qubo-qnn/solvers/sb.ts';

export const QUBO_HELP = `Usage: trainscope qubo solve FILE.json --solver exact|sa|tabu|sb [--seed N] [--reads R] [--time-limit S] [--json]
  Minimizes xᵀQx over x ∈ {0,1}ⁿ for FILE = { "Q": [[…]] } (square, finite; the full matrix is used:
  pair coefficient Q_ij + Q_ji, so upper-triangular and symmetric files mean the same; a non-symmetric
  matrix is symmetrized and flagged). Prints the best energy, x, time and the solver's settings.
  exact: enumeration, n ≤ 24. sa: simulated annealing (1000 sweeps, dwave's β range). tabu: multistart
  tabu search. sb: ballistic simulated bifurcation. A time limit that stops the solver marks the result
  partial ("timedOut": true).
`;

class QuboUsage extends Error {}

const SOLVERS: Record<string, () => IsingSolver> = {
  exact: () => exactSolver(),
  sa: () => simulatedAnnealing(),
  tabu: () => tabuSearch(),
  sb: () => simulatedBifurcation(),
};

function positiveInt(name: string, v: string | undefined, dflt: number | undefined, min = 1): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new QuboUsage(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function readQ(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new QuboUsage(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new QuboUsage(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || !('Q' in doc)) throw new QuboUsage(`${file} must hold an object { "Q": [[…]] }`);
  return (doc as { Q: unknown }).Q;
}

/** Runs the command; returns the exit code. Writes results to stdout and one-line errors to stderr. */
export function quboCommand(argv: readonly string[], out: (s: string) => void = (s) => void process.stdout.write(s), err: (s: string) => void = (s) => void process.stderr.write(s)): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(QUBO_HELP);
    return 0;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv], allowPositionals: true, strict: true,
        options: { solver: { type: 'string' }, seed: { type: 'string' }, reads: { type: 'string' }, 'time-limit': { type: 'string' }, json: { type: 'boolean' } },
      });
    } catch (e) {
      throw new QuboUsage((e as Error).message.split('\n')[0]!);
    }
    const [sub, file, ...extra] = parsed.positionals;
    if (sub !== 'solve') throw new QuboUsage(`expected 'qubo solve FILE.json' (got ${sub === undefined ? 'nothing' : `'${sub}'`}; try trainscope qubo --help)`);
    if (file === undefined) throw new QuboUsage('qubo solve: expected a FILE.json');
    if (extra.length) throw new QuboUsage(`qubo solve: unexpected argument '${extra[0]}'`);
    const v = parsed.values;
    const solverName = v.solver ?? 'sa';
    const make = SOLVERS[solverName];
    if (!make) throw new QuboUsage(`--solver must be one of ${Object.keys(SOLVERS).join(', ')}, got '${solverName}'`);
    const seed = positiveInt('seed', v.seed, 0, 0)!;
    const reads = positiveInt('reads', v.reads, undefined);
    let timeLimitMs: number | undefined;
    if (v['time-limit'] !== undefined) {
      const s = Number(v['time-limit']);
      if (!(Number.isFinite(s) && s > 0)) throw new QuboUsage(`--time-limit must be a positive number of seconds, got '${v['time-limit']}'`);
      timeLimitMs = s * 1000;
    }
    let problem;
    try {
      problem = quboFromMatrix(readQ(file));
    } catch (e) {
      throw new QuboUsage(e instanceof QuboUsage ? e.message : `${file}: ${(e as Error).message}`);
    }
    const { qubo, symmetric } = problem;
    if (solverName === 'exact' && qubo.n > 24) throw new QuboUsage(`--solver exact enumerates 2^n states and takes n ≤ 24; ${file} has n = ${qubo.n} (use sa, tabu or sb)`);
    const sol = solveQubo(make(), qubo, { key: key(seed), ...(reads !== undefined ? { reads } : {}), ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) });
    const energy = quboEnergy(qubo, sol.x);
    const res = {
      file, n: qubo.n, solver: sol.result.solver, seed, energy, x: Array.from(sol.x), timeMs: Math.round(sol.result.timeMs * 1000) / 1000,
      timedOut: sol.result.timedOut, symmetric, settings: sol.result.settings,
    };
    if (v.json) out(`${JSON.stringify(res)}\n`);
    else {
      out(`energy   ${energy}\nx        ${res.x.join('')}\nsolver   ${res.solver} (seed ${seed})  ${res.timeMs} ms${res.timedOut ? '  PARTIAL: the time limit stopped it' : ''}\n`);
      out(`settings ${JSON.stringify(res.settings)}\n`);
      if (!symmetric) out('note     Q is not symmetric: minimized xᵀQx as given (pair coefficient Q_ij + Q_ji)\n');
    }
    return 0;
  } catch (e) {
    err(`trainscope qubo: ${(e as Error).message}\n`);
    return e instanceof QuboUsage ? 2 : 1;
  }
}
