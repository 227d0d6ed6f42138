/**
 * Greedy repair/polish of a weight vector (the note's "round x̄ and repair greedily"): coordinate
 * descent over the weights, each set to its best value in Q with the others fixed, scored by the
 * model's own training loss (forward pass + loss levels) plus optional linear terms on weight bits;
 * passes repeat until none improves. A purely classical local search: results that use it are
 * reported separately from the raw QCGD extraction.
 */
import { complete, networkLoss, type Qcbo } from './qcbo.ts';
import type { QnnWeights } from './network.ts';

export function polishWeights(
  q: Qcbo,
  start: QnnWeights,
  o: { maxPasses?: number; extraLinear?: Float64Array } = {},
): { weights: QnnWeights; score: number; passes: number } {
  const maxPasses = o.maxPasses ?? 10;
  const w1 = Float64Array.from(start.w1);
  const w2 = Float64Array.from(start.w2);
  const cur = { w1, w2 };
  const score = (): number => {
    let s = networkLoss(q, cur);
    if (o.extraLinear) {
      const x = complete(q, cur);
      for (let i = 0; i < q.nWeightBits; i++) s += o.extraLinear[i]! * x[i]!;
    }
    return s;
  };
  let best = score();
  let passes = 0;
  for (; passes < maxPasses; passes++) {
    let improved = false;
    for (let k = 0; k < w1.length + w2.length; k++) {
      const arr = k < w1.length ? w1 : w2;
      const idx = k < w1.length ? k : k - w1.length;
      const keep = arr[idx]!;
      let bestV = keep;
      for (const v of q.enc.values) {
        if (v === keep) continue;
        arr[idx] = v;
        const s = score();
        if (s < best - 1e-12) {
          best = s;
          bestV = v;
          improved = true;
        }
      }
      arr[idx] = bestV;
    }
    if (!improved) break;
  }
  return { weights: cur, score: best, passes };
}
