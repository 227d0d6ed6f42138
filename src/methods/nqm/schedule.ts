/**
 * Optimal piecewise-constant learning-rate schedules for preconditioned SGD on the NQM (the
 * notebook's `simulate_pwc_dynamics` / `optimize_lrates` / `ttl_sched`): `npc` pieces of k steps,
 * each with its own log-LR. The loss after the schedule is written with Tensor ops (the closed
 * form of each piece, with the notebook's 1e-8 guard) so the engine's reverse mode gives the
 * exact gradient; a bounded L-BFGS (init −5, upper bound max_llr) optimizes it.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { add, exp, log, mul, pow, slice, sub, div, sum } from '../../tensor/ops.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import { boundedLbfgs } from './bounded-lbfgs.ts';
import { checkBatchSize, checkPrecondition, checkTarget, type Nqm } from './problem.ts';

/** The notebook's cap on log-LR: log(2/(1 + 10^(−4(1−p)) + 1e-4)). */
export function maxLogLr(p: number): number {
  checkPrecondition(p);
  return Math.log(2 / (1 + 10 ** (-4 * (1 - p)) + 1e-4));
}

/** log E[L] after the schedule exp(llr) with `k` steps per piece (Tensor in, scalar Tensor out). */
export function scheduleLogLoss(nqm: Nqm, p: number, batchSize: number, llr: Tensor, k: number): Tensor {
  const n = nqm.h.length;
  const hx = new Tensor(
    nqm.h.map((h) => Math.pow(h, 1 - p)),
    [n],
  );
  const noise = new Tensor(
    nqm.h.map((h, i) => (Math.pow(h, -2 * p) * nqm.c[i]!) / batchSize),
    [n],
  );
  const w = new Tensor(
    nqm.h.map((h, i) => 0.5 * h * nqm.count[i]!),
    [n],
  );
  let s: Tensor = new Tensor(new Float64Array(n).fill(nqm.initVariance), [n]);
  const pieces = llr.shape[0]!;
  for (let j = 0; j < pieces; j++) {
    const lr = exp(slice(llr, [j], [j + 1]));
    const oneMinusX = sub(1, mul(lr, hx));
    const r = mul(oneMinusX, oneMinusX);
    const star = div(mul(mul(lr, lr), noise), add(sub(1, r), 1e-8));
    s = add(star, mul(pow(r, k), sub(s, star)));
  }
  return log(sum(mul(w, s)));
}

export interface OptimizedSchedule {
  /** Learning rate of each piece. */
  lrs: number[];
  loss: number;
}

/** The optimal log-LRs for `npc` pieces of `k` steps (init −5 everywhere, as the notebook). */
export function optimizeSchedule(nqm: Nqm, p: number, batchSize: number, npc: number, k: number): OptimizedSchedule {
  checkPrecondition(p);
  checkBatchSize(batchSize);
  if (!Number.isInteger(npc) || npc < 1) throw new Error(`nqm: npc (pieces) must be a positive integer, got ${npc}`);
  if (!Number.isInteger(k) || k < 0) throw new Error(`nqm: steps per piece must be a non-negative integer, got ${k}`);
  const vg = valueAndGrad((llr: Tensor) => scheduleLogLoss(nqm, p, batchSize, llr, k));
  const res = boundedLbfgs(
    (x) => {
      const { value, grads } = vg(new Tensor(Float64Array.from(x), [npc]));
      return { f: value.item(), g: Float64Array.from(grads.data as Float64Array) };
    },
    new Float64Array(npc).fill(-5),
    { upper: maxLogLr(p), maxIter: 300, gradTol: 1e-9 },
  );
  return { lrs: [...res.x].map(Math.exp), loss: Math.exp(res.f) };
}

export interface ScheduleSteps {
  /** Total steps npc·k (notebook convention: the last k found above the target); null if unreachable. */
  steps: number | null;
  stepsPerPiece: number | null;
  lrs: number[] | null;
}

/**
 * The notebook's `ttl_sched`: bisection on the steps per piece k, re-optimizing the schedule at
 * every probe. `hint` (a k known to reach the target, e.g. from the best constant LR) narrows the
 * range from the notebook's [0, 1e8) when it is confirmed; same answer when "reachable in k" is
 * monotone in k, with fewer optimizations.
 */
export function scheduleStepsToTarget(nqm: Nqm, p: number, batchSize: number, target: number, npc: number, hint?: number): ScheduleSteps {
  checkTarget(target);
  const reaches = (k: number): OptimizedSchedule | null => {
    const s = optimizeSchedule(nqm, p, batchSize, npc, k);
    return s.loss < target ? s : null;
  };
  let high = 100_000_000;
  if (hint !== undefined && Number.isInteger(hint) && hint > 0 && hint < high && reaches(hint)) high = hint;
  const top = high;
  let low = 0;
  let lrs: number[] | null = null;
  while (low < high - 1) {
    const mid = Math.floor((low + high) / 2);
    const s = optimizeSchedule(nqm, p, batchSize, npc, mid);
    if (s.loss < target) high = mid;
    else {
      low = mid;
      lrs = s.lrs;
    }
  }
  if (top === 100_000_000 && low === top - 1) return { steps: null, stepsPerPiece: null, lrs: null };
  const k = Math.max(low, 1);
  // The schedule reported is the one optimized for the answer's k (the notebook returns the last probe's).
  const final = lrs ?? optimizeSchedule(nqm, p, batchSize, npc, k).lrs;
  return { steps: npc * k, stepsPerPiece: k, lrs: final };
}
