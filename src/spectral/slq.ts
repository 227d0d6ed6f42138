/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; PyHessian's `density`): for each of
 * n_v Rademacher probes, m Lanczos steps from z/‖z‖; the eigenvalues θ_i of T are quadrature
 * nodes and (first component of T's i-th eigenvector)² their weights (they sum to 1). The
 * spectral density φ(t) = (1/n)·Σ δ(t − λ_j) is estimated by the probes' average node measure,
 * smoothed with a Gaussian of width sigma on a grid. A breakdown ends a probe early: its
 * quadrature is then exact for that probe's measure.
 */
import { foldIn, type Key } from '../tensor/prng.ts';
import type { LinearOperator } from './operator.ts';
import { rademacher } from './probes.ts';
import { KrylovProcess } from './krylov.ts';
import { tridiagonalEigen } from './tridiagonal.ts';
import { mean, stdErr } from './hutchinson.ts';

export interface SlqOptions {
  key: Key;
  /** Probe vectors n_v (default 10). */
  probes?: number;
  /** Lanczos steps per probe m (default 80; capped at the operator size). */
  steps?: number;
  /** Gaussian width; default 1 % of the node range (PyHessian: σ² = 1e-5 of its normalized range). */
  sigma?: number;
  /** Grid points (default 1000) over [min node − 5σ, max node + 5σ] unless `range` is given. */
  gridPoints?: number;
  range?: [number, number];
}

export interface SlqResult {
  /** Per probe: nodes (ascending) and weights (summing to 1). */
  nodes: Float64Array[];
  weights: Float64Array[];
  grid: Float64Array;
  /** Smoothed density on the grid (integrates to ≈ 1 when the grid covers the nodes ± 5σ). */
  density: Float64Array;
  sigma: number;
  /** Trapezoid integral of the density over the grid. */
  mass: number;
  /** Σ weight·node averaged over probes: estimates tr(A)/n. */
  firstMoment: number;
  firstMomentStdErr: number;
  matvecs: number;
  /** Probes that ended early on an invariant subspace. */
  breakdowns: number;
}

export function slqDensity(op: LinearOperator, opts: SlqOptions): SlqResult {
  const R = 'slqDensity';
  if (!opts || opts.key === undefined) throw new Error(`${R}: options.key is required (a PRNG key: random.key(seed))`);
  const probes = opts.probes ?? 10;
  const steps = Math.min(opts.steps ?? 80, op.size);
  if (!Number.isInteger(probes) || probes < 1) throw new Error(`${R}: probes must be a positive integer, got ${probes}`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${R}: steps must be a positive integer, got ${opts.steps}`);
  const nodes: Float64Array[] = [];
  const weights: Float64Array[] = [];
  let matvecs = 0;
  let breakdowns = 0;
  rademacher(foldIn(opts.key, 'probes'), probes, op.size).forEach((z, p) => {
    const proc = new KrylovProcess(R, op, z, foldIn(opts.key, p), false);
    while (proc.steps < steps && proc.step());
    matvecs += proc.matvecs;
    if (proc.exhausted && proc.steps < steps) breakdowns++;
    const e = tridiagonalEigen(proc.alpha, proc.beta);
    nodes.push(e.values);
    weights.push(Float64Array.from({ length: e.m }, (_, i) => e.vectors[i]! * e.vectors[i]!));
  });
  const lo = Math.min(...nodes.map((x) => x[0]!));
  const hi = Math.max(...nodes.map((x) => x[x.length - 1]!));
  const sigma = opts.sigma ?? Math.max(0.01 * (hi - lo), 1e-12 * Math.max(Math.abs(lo), Math.abs(hi), 1));
  if (!(sigma > 0)) throw new Error(`${R}: sigma must be positive, got ${opts.sigma}`);
  const [g0, g1] = opts.range ?? [lo - 5 * sigma, hi + 5 * sigma];
  const points = opts.gridPoints ?? 1000;
  if (!Number.isInteger(points) || points < 2 || !(g1 > g0))
    throw new Error(`${R}: the grid needs ≥ 2 points over a non-empty range, got ${points} over [${g0}, ${g1}]`);
  const grid = Float64Array.from({ length: points }, (_, i) => g0 + ((g1 - g0) * i) / (points - 1));
  const density = new Float64Array(points);
  const c = 1 / (probes * sigma * Math.sqrt(2 * Math.PI));
  nodes.forEach((th, p) => {
    const w = weights[p]!;
    for (let i = 0; i < th.length; i++) {
      for (let g = 0; g < points; g++) {
        const d = (grid[g]! - th[i]!) / sigma;
        density[g]! += c * w[i]! * Math.exp(-0.5 * d * d);
      }
    }
  });
  let mass = 0;
  for (let g = 1; g < points; g++) mass += 0.5 * (density[g]! + density[g - 1]!) * (grid[g]! - grid[g - 1]!);
  const moments = Float64Array.from(nodes, (th, p) => th.reduce((s, t, i) => s + t * weights[p]![i]!, 0));
  return { nodes, weights, grid, density, sigma, mass, firstMoment: mean(moments), firstMomentStdErr: stdErr(moments), matvecs, breakdowns };
}
