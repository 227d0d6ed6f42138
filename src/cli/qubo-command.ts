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
import { key } from '../tensor/prng.ts';
import { quboFromMatrix } from '../methods/qubo-qnn/solvers/convert.ts';
import { quboEnergy } from '../methods/qubo-qnn/solvers/model.ts';
import { solveQubo, type IsingSolver } from '../methods/qubo-qnn/solvers/solver.ts';
import { exactSolver } from '../methods/qubo-qnn/solvers/exact.ts';
import { simulatedAnnealing } from '../methods/qubo-qnn/solvers/sa.ts';
import { tabuSearch } from '../methods/qubo-qnn/solvers/tabu.ts';
import { simulatedBifurcation } from '../methods/qubo-qnn/solvers/sb.ts';
import { booleanFlag, stringFlag, UsageError, type ParsedArgs } from './args.ts';

const SOLVERS: Record<string, () => IsingSolver> = {
  exact: () => exactSolver(),
  sa: () => simulatedAnnealing(),
  tabu: () => tabuSearch(),
  sb: () => simulatedBifurcation(),
};

function positiveInt(name: string, v: string | undefined, dflt: number | undefined, min = 1): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function readQ(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || !('Q' in doc)) throw new UsageError(`${file} must hold an object { "Q": [[…]] }`);
  return (doc as { Q: unknown }).Q;
}

/** Runs the command (its flags parsed by main.ts's table); errors are thrown, main prints them once. */
export default function quboCommand(args: ParsedArgs): number {
  const [sub, file, ...extra] = args.positionals;
  if (sub !== 'solve') throw new UsageError(`expected 'qubo solve FILE.json' (got ${sub === undefined ? 'nothing' : `'${sub}'`}; try trainscope qubo --help)`);
  if (file === undefined) throw new UsageError('solve: expected a FILE.json');
  if (extra.length) throw new UsageError(`solve: unexpected argument '${extra[0]}'`);
  const solverName = stringFlag(args, 'solver') ?? 'sa';
  const make = SOLVERS[solverName];
  if (!make) throw new UsageError(`--solver must be one of ${Object.keys(SOLVERS).join(', ')}, got '${solverName}'`);
  const seed = positiveInt('seed', stringFlag(args, 'seed'), 0, 0)!;
  const reads = positiveInt('reads', stringFlag(args, 'reads'), undefined);
  const timeLimit = stringFlag(args, 'time-limit');
  let timeLimitMs: number | undefined;
  if (timeLimit !== undefined) {
    const s = Number(timeLimit);
    if (!(Number.isFinite(s) && s > 0)) throw new UsageError(`--time-limit must be a positive number of seconds, got '${timeLimit}'`);
    timeLimitMs = s * 1000;
  }
  let problem;
  try {
    problem = quboFromMatrix(readQ(file));
  } catch (e) {
    throw new UsageError(e instanceof UsageError ? e.message : `${file}: ${(e as Error).message}`);
  }
  const { qubo, symmetric } = problem;
  if (solverName === 'exact' && qubo.n > 24)
    throw new UsageError(`--solver exact enumerates 2^n states and takes n ≤ 24; ${file} has n = ${qubo.n} (use sa, tabu or sb)`);
  const sol = solveQubo(make(), qubo, { key: key(seed), ...(reads !== undefined ? { reads } : {}), ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) });
  const energy = quboEnergy(qubo, sol.x);
  const res = {
    file,
    n: qubo.n,
    solver: sol.result.solver,
    seed,
    energy,
    x: Array.from(sol.x),
    timeMs: Math.round(sol.result.timeMs * 1000) / 1000,
    timedOut: sol.result.timedOut,
    symmetric,
    settings: sol.result.settings,
  };
  const out = (t: string): void => void process.stdout.write(t);
  if (booleanFlag(args, 'json')) out(`${JSON.stringify(res)}\n`);
  else {
    out(
      `energy   ${energy}\nx        ${res.x.join('')}\nsolver   ${res.solver} (seed ${seed})  ${res.timeMs} ms${res.timedOut ? '  PARTIAL: the time limit stopped it' : ''}\n`,
    );
    out(`settings ${JSON.stringify(res.settings)}\n`);
    if (!symmetric) out('note     Q is not symmetric: minimized xᵀQx as given (pair coefficient Q_ij + Q_ji)\n');
  }
  return 0;
}
