/**
 * Amortized eigendecomposition (src/methods/amortized-eigen): one tracker step (k = 16, Brockett,
 * Adam: input checks, QR, A·U, the QR backward, the optimizer update) against one exact
 * `linalg.eigh` of the same symmetric n×n matrix, n ∈ {256, 512, 1024}, float64, on the current
 * backend. `eigh256_f64_ms` is already measured by bench.ts (same matrix construction), so only
 * 512 and 1024 are added here. Best-of-N (bench/timing.ts).
 */
import { add, linalg, mul, random, transpose, type Tensor } from '../src/index.ts';
import { eigenTracker } from '../src/methods/amortized-eigen/index.ts';
import { bestMs as time } from './timing.ts';

const symmetric = (n: number): Tensor => {
  const a = random.normal(random.key(3), [n, n]);
  return mul(add(a, transpose(a)), 0.5);
};

export function amortizedEigenBench(): Record<string, number> {
  const r: Record<string, number> = {};
  for (const n of [256, 512, 1024]) {
    const a = symmetric(n);
    const tracker = eigenTracker({ n, k: 16 });
    let state = tracker.init(random.key(0));
    r[`amortized_step_n${n}_ms`] = time(() => void (state = tracker.update(state, a).state), n >= 1024 ? 9 : 15, 3);
    if (n !== 256) r[`eigh${n}_f64_ms`] = time(() => void linalg.eigh(a), n >= 1024 ? 3 : 5, 1);
  }
  return r;
}
