/**
 * HVPs needed for the k largest-magnitude eigenvalues to a relative accuracy, by our Lanczos and
 * by power iteration with deflation (PyHessian's method), against known exact eigenvalues (a
 * dense eigh of a small model). Each method uses its own stopping rule; the tolerance is swept
 * from loose to tight and the first one whose answer reaches the accuracy is reported (the
 * tolerance a user would have had to guess). Lanczos also gets an oracle count: the first step
 * at which its Ritz values are that accurate.
 */
import { foldIn, type Key } from '../tensor/prng.ts';
import type { LinearOperator } from './operator.ts';
import { countingOperator } from './operator.ts';
import { lanczos } from './lanczos.ts';
import { powerIteration } from './power.ts';
import { KrylovProcess } from './krylov.ts';
import { gaussian } from './probes.ts';
import { tridiagonalEigen } from './tridiagonal.ts';

export interface MethodCount {
  /** Matvecs (HVPs) spent, or null when no tolerance in the sweep reached the accuracy. */
  hvps: number | null;
  /** The stopping tolerance that got there. */
  tol: number | null;
  /** Max relative error of the k values reported at that tolerance (or at the tightest tried). */
  maxRelErr: number;
}

export interface HvpComparison {
  k: number;
  rtol: number;
  /** The k exact eigenvalues compared against (largest magnitude first). */
  exact: number[];
  lanczos: MethodCount;
  /** First Lanczos step whose Ritz values are within rtol. */
  lanczosOracle: number | null;
  power: MethodCount;
  /** PyHessian's defaults (tol 1e-3, 100 iterations per eigenvalue): HVPs and the accuracy it gives. */
  powerDefault: { hvps: number; maxRelErr: number };
}

const byMagnitude = (xs: ArrayLike<number>, k: number): number[] =>
  Array.from(xs)
    .sort((a, b) => Math.abs(b) - Math.abs(a))
    .slice(0, k);

function relErr(got: number[], exact: number[]): number {
  return Math.max(...exact.map((e, i) => Math.abs((got[i] ?? NaN) - e) / Math.abs(e)).map((x) => (Number.isNaN(x) ? Infinity : x)));
}

export function compareHvpCounts(
  op: LinearOperator,
  exactSpectrum: ArrayLike<number>,
  opts: { key: Key; k?: number; rtol?: number; maxPowerIter?: number },
): HvpComparison {
  const k = opts.k ?? 5;
  const rtol = opts.rtol ?? 1e-6;
  const exact = byMagnitude(exactSpectrum, k);
  const kPos = exact.filter((x) => x > 0).length;
  const tols = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12];

  let lz: MethodCount = { hvps: null, tol: null, maxRelErr: Infinity };
  for (const tol of tols) {
    const r = lanczos(op, { key: opts.key, largest: kPos, smallest: k - kPos, tol, maxIter: op.size });
    const err = relErr(byMagnitude([...r.largest.values, ...r.smallest.values], k), exact);
    lz = { hvps: err <= rtol ? r.matvecs : null, tol: err <= rtol ? tol : null, maxRelErr: err };
    if (err <= rtol) break;
  }

  let oracle: number | null = null;
  const proc = new KrylovProcess('compareHvpCounts', op, gaussian(foldIn(opts.key, 'start'), op.size), foldIn(opts.key, 'restart'), true);
  while (proc.step()) {
    if (proc.steps < k) continue;
    const e = tridiagonalEigen(proc.alpha, proc.beta);
    if (relErr(byMagnitude(e.values, k), exact) <= rtol) {
      oracle = proc.steps;
      break;
    }
    if (proc.exhausted) break;
  }

  const maxIter = opts.maxPowerIter ?? 5000;
  let pw: MethodCount = { hvps: null, tol: null, maxRelErr: Infinity };
  for (const tol of [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14]) {
    const r = powerIteration(op, { key: opts.key, k, tol, maxIter });
    const err = relErr(byMagnitude(r.values, k), exact);
    pw = { hvps: err <= rtol ? r.matvecs : null, tol: err <= rtol ? tol : null, maxRelErr: err };
    if (err <= rtol) break;
  }
  const counted = countingOperator(op);
  const d = powerIteration(counted, { key: opts.key, k });
  return {
    k,
    rtol,
    exact,
    lanczos: lz,
    lanczosOracle: oracle,
    power: pw,
    powerDefault: { hvps: counted.count, maxRelErr: relErr(byMagnitude(d.values, k), exact) },
  };
}
