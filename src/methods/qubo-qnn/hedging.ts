/**
 * Progressive hedging (Rockafellar–Wets) over sample scenarios with consensus on the weight bits
 * (our reconstruction of the paper's QPH): each scenario (a mini-batch) is its own QCBO sharing the
 * weight-bit block [0, nW) and the global splines; it is solved by QCGD with the PH terms on its
 * weight bits, λ_sᵀw + (ρ/2)Σ_i w_i(1 − 2w̄_i) (w² = w makes the proximal term linear). Then
 * w̄ = mean_s w_s, λ_s += ρ(w_s − w̄); stop when mean_s ‖w_s − w̄‖₁/nW < tol. Final weights: per weight,
 * the value whose bits the scenarios voted for most (w̄ rounded by the encoding's repair), then
 * evaluated on all samples. Scenarios run sequentially in-process here (they are independent
 * within an iteration, so a parallel runner can split them).
 */
import { foldIn, type Key } from '../../tensor/prng.ts';
import { buildQcbo, complete, decodeWeights, networkLoss, qnnSplines, type Qcbo, type QnnSpec } from './qcbo.ts';
import { qcgd, type QcgdOptions } from './qcgd.ts';
import { polishWeights } from './polish.ts';
import type { QnnWeights } from './network.ts';

export interface HedgingOptions {
  scenarioSize: number;
  iterations: number;
  rho: number;
  tol?: number;
  key: Key;
  qcgd: Omit<QcgdOptions, 'key' | 'extraLinear'>;
  /** Polish each scenario's QCGD output greedily (polish.ts) before voting. */
  polish?: boolean;
  signal?: AbortSignal;
  onIteration?: (k: number) => void;
}

export interface HedgingResult {
  weights: QnnWeights;
  /** Training loss of the final weights on all samples (the model's function). */
  objective: number;
  trace: { k: number; disagreement: number; objective: number }[];
  scenarios: number;
  iterations: number;
}

export function progressiveHedging(spec: QnnSpec, xs: readonly Float64Array[], ys: readonly number[], o: HedgingOptions): HedgingResult {
  const splines = qnnSplines(spec, xs);
  const S = Math.ceil(xs.length / o.scenarioSize);
  const subs: Qcbo[] = [];
  for (let s = 0; s < S; s++) {
    const lo = s * o.scenarioSize;
    subs.push(buildQcbo(spec, xs.slice(lo, lo + o.scenarioSize), ys.slice(lo, lo + o.scenarioSize), splines));
  }
  const full = buildQcbo(spec, xs, ys, splines);
  const nW = subs[0]!.nWeightBits;
  const lambda = subs.map(() => new Float64Array(nW));
  const wbar = new Float64Array(nW);
  const ws = subs.map(() => new Float64Array(nW));
  const trace: HedgingResult['trace'] = [];
  const tol = o.tol ?? 1e-3;
  const finalWeights = (): QnnWeights =>
    decodeWeights(
      full,
      Float64Array.from({ length: full.n }, (_, i) => (i < nW ? wbar[i]! : 0)),
    );
  let k = 0;
  for (; k <= o.iterations; k++) {
    if (o.signal?.aborted) break;
    subs.forEach((q, s) => {
      const extra = new Float64Array(q.n);
      if (k > 0) for (let i = 0; i < nW; i++) extra[i] = lambda[s]![i]! + (o.rho / 2) * (1 - 2 * wbar[i]!);
      const r = qcgd(q, { ...o.qcgd, key: foldIn(foldIn(o.key, k), s), extraLinear: extra });
      const w = o.polish ? polishWeights(q, r.weights, { extraLinear: extra }).weights : r.weights;
      const x = complete(q, w);
      for (let i = 0; i < nW; i++) ws[s]![i] = x[i]!;
    });
    wbar.fill(0);
    for (const w of ws) for (let i = 0; i < nW; i++) wbar[i]! += w[i]! / S;
    let dis = 0;
    ws.forEach((w, s) => {
      for (let i = 0; i < nW; i++) {
        dis += Math.abs(w[i]! - wbar[i]!);
        lambda[s]![i]! += o.rho * (w[i]! - wbar[i]!);
      }
    });
    dis /= S * nW;
    trace.push({ k, disagreement: dis, objective: networkLoss(full, finalWeights()) });
    o.onIteration?.(k);
    if (dis < tol) {
      k++;
      break;
    }
  }
  const weights = finalWeights();
  return { weights, objective: networkLoss(full, weights), trace, scenarios: S, iterations: k };
}
