/**
 * QCGD: conditional gradient with an augmented Lagrangian (CGAL, Yurtsever et al.; constants from
 * SketchyCGAL's CGAL.m) on the lifted QCBO, min ⟨C, Y⟩ s.t. 𝒜(Y) ∈ 𝒦, Y ∈ conv{[1;x][1;x]ᵀ : x ∈ {0,1}ⁿ},
 * where the linear minimization oracle over that hull is a QUBO handed to an Ising solver.
 * Y is never stored: only z = 𝒜(Y) (one number per constraint), the averaged objective, the running
 * mean of the oracle points (Y's diagonal) and the oracle history are kept.
 *   β = β₀√(t+1), η = 2/(t+1), v = y + β(z − Proj_𝒦(z + y/β))
 *   x_t = oracle(argmin_x f(x) + Σ_i v_i g_i(x));   z ← (1−η)z + η𝒜(x_t);   f̄ ← (1−η)f̄ + η f(x_t)
 *   r = z − Proj_𝒦(z + y/β₊),  σ = min(β₀, 4β₊η²α²‖𝒜‖²/‖r‖²),  y ← y + σ r
 * Output (our design): the best *feasible* point of the history — at every iteration, the oracle
 * point's weight bits and the rounded running mean of the weight bits (Y's diagonal), each completed
 * by the forward pass (the exact minimizer over the indicators for fixed weights) — so the output
 * satisfies every constraint by construction; how many raw oracle points were feasible is reported.
 */
import { foldIn, type Key } from '../../tensor/prng.ts';
import type { IsingSolver } from './solvers/solver.ts';
import { LagrangianPattern, constraintScales } from './lagrangian.ts';
import { complete, decodeWeights, feasibility, networkLoss, type Qcbo } from './qcbo.ts';
import type { QnnWeights } from './network.ts';

export interface QcgdOptions {
  iterations: number;
  oracle: IsingSolver;
  /** Reads per oracle call (default 1). */
  oracleReads?: number;
  beta0?: number;
  key: Key;
  /** Added to the objective (unscaled units) per variable, e.g. progressive hedging's terms on weight bits. */
  extraLinear?: Float64Array;
  /** Called after every iteration (progress, abort checks). */
  onIteration?: (t: number) => void;
  /** Stop early (returns what it has, flagged). */
  signal?: AbortSignal;
}

export interface QcgdTracePoint {
  t: number;
  /** Averaged objective f̄ = ⟨C, Y_t⟩ (unscaled). */
  objective: number;
  /** ‖z − Proj_𝒦(z)‖₂ over the normalized constraints: the averaged iterate's infeasibility. */
  residual: number;
  /** Whether this iteration's oracle point satisfied every constraint. */
  oracleFeasible: boolean;
  /** Best feasible objective (incl. extraLinear) found so far. */
  bestFeasible: number;
}

export interface QcgdResult {
  weights: QnnWeights;
  /** The output point (weights + forward completion): feasible by construction. */
  x: Uint8Array;
  /** Its objective (the model's training loss) and with the extra linear terms. */
  objective: number;
  score: number;
  trace: QcgdTracePoint[];
  oracleFeasibleCount: number;
  /** Where the output came from: an oracle point's weights or the rounded mean. */
  source: 'oracle-history' | 'rounded-mean';
  /** The output's constraint check (maxViolation 0 when feasible). */
  maxViolation: number;
  feasible: boolean;
  iterations: number;
  stopped: boolean;
}

const proj = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

export function qcgd(q: Qcbo, o: QcgdOptions): QcgdResult {
  const T = o.iterations;
  if (!Number.isSafeInteger(T) || T < 1) throw new Error(`qcgd: iterations must be a positive integer, got ${T}`);
  const beta0 = o.beta0 ?? 1;
  const scales = constraintScales(q.constraints);
  const m = q.constraints.length;
  const lo = Float64Array.from(q.constraints, (c, i) => c.lo / scales[i]!);
  const hi = Float64Array.from(q.constraints, (c, i) => c.hi / scales[i]!);
  const pattern = new LagrangianPattern(
    q.n,
    q.objective,
    q.constraints.map((c, i) => ({ g: c.g, scale: scales[i]! })),
  );
  const objScale = 1 / Math.max(q.objective.maxAbs(), 1e-12);
  const extra = o.extraLinear ? Float64Array.from(o.extraLinear, (v) => v * objScale) : undefined;
  const alpha = 1 + q.n;
  const normA2 = m; // rows normalized to ∞-norm 1: a cheap stand-in for ‖𝒜‖² (CGAL.m normalizes likewise)
  const y = new Float64Array(m);
  const z = new Float64Array(m);
  const v = new Float64Array(m);
  const vals = new Float64Array(m + 1);
  const xbar = new Float64Array(q.n);
  let fbar = 0;
  const trace: QcgdTracePoint[] = [];
  let oracleFeasibleCount = 0;
  const seen = new Set<string>();
  let best: { w: QnnWeights; score: number; source: QcgdResult['source'] } | null = null;
  const scoreOf = (w: QnnWeights): { x: Uint8Array; score: number; loss: number } => {
    const x = complete(q, w);
    const loss = networkLoss(q, w);
    let s = loss;
    if (o.extraLinear) for (let i = 0; i < q.nWeightBits; i++) s += o.extraLinear[i]! * x[i]!;
    return { x, score: s, loss };
  };
  const consider = (w: QnnWeights, source: QcgdResult['source']): void => {
    const k = Array.from(w.w1).join(',') + '|' + Array.from(w.w2).join(',');
    if (seen.has(k)) return;
    seen.add(k);
    const { score } = scoreOf(w);
    if (!best || score < best.score - 1e-12) best = { w, score, source };
  };
  let t = 1;
  let stopped = false;
  for (; t <= T; t++) {
    if (o.signal?.aborted) {
      stopped = true;
      break;
    }
    const beta = beta0 * Math.sqrt(t + 1);
    const eta = 2 / (t + 1);
    for (let i = 0; i < m; i++) v[i] = y[i]! + beta * (z[i]! - proj(z[i]! + y[i]! / beta, lo[i]!, hi[i]!));
    // The oracle sees the objective scaled to ∞-norm 1 (CGAL's SCALE_C) next to the normalized rows.
    const model = pattern.assemble(v, objScale, extra);
    const res = o.oracle.solve(model, { key: foldIn(o.key, t), reads: o.oracleReads ?? 1 });
    const xs = Uint8Array.from(res.best.spins, (s) => (s > 0 ? 1 : 0));
    pattern.evaluate(xs, vals);
    const fx = vals[m]!;
    for (let i = 0; i < m; i++) z[i] = (1 - eta) * z[i]! + eta * vals[i]!;
    fbar = (1 - eta) * fbar + eta * fx;
    for (let i = 0; i < q.n; i++) xbar[i] = (1 - eta) * xbar[i]! + eta * xs[i]!;
    const betaP = beta0 * Math.sqrt(t + 2);
    let r2 = 0;
    const r = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      r[i] = z[i]! - proj(z[i]! + y[i]! / betaP, lo[i]!, hi[i]!);
      r2 += r[i]! ** 2;
    }
    const sigma = r2 > 0 ? Math.min(beta0, (4 * betaP * eta * eta * alpha * alpha * normA2) / r2) : 0;
    for (let i = 0; i < m; i++) y[i]! += sigma * r[i]!;
    const feas = feasibility(q, xs);
    if (feas.feasible) oracleFeasibleCount++;
    consider(decodeWeights(q, xs), 'oracle-history');
    // The averaged iterate converges while single oracle points need not be feasible (a Lagrangian
    // vertex): its rounded weight bits are a candidate at every iteration, not only at the end.
    consider(decodeWeights(q, xbar), 'rounded-mean');
    let res2 = 0;
    for (let i = 0; i < m; i++) res2 += (z[i]! - proj(z[i]!, lo[i]!, hi[i]!)) ** 2;
    trace.push({ t, objective: fbar, residual: Math.sqrt(res2), oracleFeasible: feas.feasible, bestFeasible: best!.score });
    o.onIteration?.(t);
  }
  if (!best) throw new Error('qcgd: stopped before the first oracle call');
  const b = best as { w: QnnWeights; score: number; source: QcgdResult['source'] };
  const { x, score, loss } = scoreOf(b.w);
  const f = feasibility(q, x);
  return {
    weights: b.w,
    x,
    objective: loss,
    score,
    trace,
    oracleFeasibleCount,
    source: b.source,
    maxViolation: f.maxViolation,
    feasible: f.feasible,
    iterations: t - 1,
    stopped,
  };
}
