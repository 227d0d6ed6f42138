/**
 * One phase of spectral/hessian-spectrum (at initialization or after training): every spectral
 * quantity of one Hessian operator, as plain data (arrays, no typed arrays: results are JSON).
 */
import { foldIn, type Key } from '../../tensor/prng.ts';
import {
  compareHvpCounts,
  countingOperator,
  denseSpectrum,
  hutchinsonTrace,
  lanczos,
  slqDensity,
  type HvpComparison,
  type LinearOperator,
} from '../../spectral/index.ts';

export interface PhaseOptions {
  top: number;
  bottom: number;
  lanczosTol: number;
  lanczosMaxIter: number;
  hutchinsonProbes: number;
  slqProbes: number;
  slqSteps: number;
  /** Dense eigh (one HVP per parameter) only up to this many parameters. */
  denseMaxParams: number;
  compareK: number;
  compareRtol: number;
  gridPoints: number;
}

export interface PhaseResult {
  phase: string;
  params: number;
  top: { values: number[]; residuals: number[] };
  bottom: { values: number[]; residuals: number[] };
  lanczos: { iterations: number; hvps: number; converged: boolean; normEstimate: number };
  trace: { value: number; stdErr: number; probes: number };
  slq: {
    grid: number[];
    density: number[];
    sigma: number;
    mass: number;
    weightMassMaxErr: number;
    firstMoment: number;
    firstMomentStdErr: number;
    probes: number;
    steps: number;
  };
  dense: null | {
    top: number[];
    bottom: number[];
    trace: number;
    asymmetry: number;
    /** The exact spectrum smoothed with the SLQ's Gaussian, on the SLQ grid (what SLQ estimates). */
    density: number[];
    topMaxRelErr: number;
    /** Bottom eigenvalues can sit at 0: their error is measured relative to ‖H‖. */
    bottomMaxErrOverNorm: number;
  };
  comparison: HvpComparison | null;
}

const arr = (x: ArrayLike<number>): number[] => Array.from(x);

export function analyzePhase(phase: string, op: LinearOperator, k: Key, o: PhaseOptions): PhaseResult {
  const lz = lanczos(op, { key: foldIn(k, 'lanczos'), largest: o.top, smallest: o.bottom, tol: o.lanczosTol, maxIter: o.lanczosMaxIter });
  const hu = hutchinsonTrace(op, { key: foldIn(k, 'hutchinson'), probes: o.hutchinsonProbes });
  const sl = slqDensity(op, { key: foldIn(k, 'slq'), probes: o.slqProbes, steps: o.slqSteps, gridPoints: o.gridPoints });
  const weightMassMaxErr = Math.max(...sl.weights.map((w) => Math.abs(w.reduce((a, b) => a + b, 0) - 1)));
  let dense: PhaseResult['dense'] = null;
  let comparison: HvpComparison | null = null;
  if (op.size <= o.denseMaxParams) {
    const counted = countingOperator(op);
    const ex = denseSpectrum(counted, { maxSize: o.denseMaxParams });
    const v = arr(ex.values);
    const top = v.slice(-o.top).reverse();
    const bottom = v.slice(0, o.bottom);
    const norm = Math.max(Math.abs(v[0]!), Math.abs(v.at(-1)!));
    const c = 1 / (v.length * sl.sigma * Math.sqrt(2 * Math.PI));
    const density = arr(sl.grid).map((t) => v.reduce((s, l) => s + c * Math.exp(-0.5 * ((t - l) / sl.sigma) ** 2), 0));
    dense = {
      top,
      bottom,
      trace: v.reduce((a, b) => a + b, 0),
      asymmetry: ex.asymmetry,
      density,
      topMaxRelErr: Math.max(...top.map((e, i) => Math.abs(lz.largest.values[i]! - e) / Math.abs(e))),
      bottomMaxErrOverNorm: Math.max(...bottom.map((e, i) => Math.abs(lz.smallest.values[i]! - e) / norm)),
    };
    comparison = compareHvpCounts(op, ex.values, { key: foldIn(k, 'compare'), k: o.compareK, rtol: o.compareRtol });
  }
  return {
    phase,
    params: op.size,
    top: { values: arr(lz.largest.values), residuals: arr(lz.largest.residuals) },
    bottom: { values: arr(lz.smallest.values), residuals: arr(lz.smallest.residuals) },
    lanczos: { iterations: lz.iterations, hvps: lz.matvecs, converged: lz.converged, normEstimate: lz.normEstimate },
    trace: { value: hu.trace, stdErr: hu.stdErr, probes: o.hutchinsonProbes },
    slq: {
      grid: arr(sl.grid),
      density: arr(sl.density),
      sigma: sl.sigma,
      mass: sl.mass,
      weightMassMaxErr,
      firstMoment: sl.firstMoment,
      firstMomentStdErr: sl.firstMomentStdErr,
      probes: o.slqProbes,
      steps: o.slqSteps,
    },
    dense,
    comparison,
  };
}
