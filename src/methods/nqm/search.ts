/**
 * Steps to a target loss, with the official notebook's convention: bisection over k ∈ [0, high)
 * keeping `low` where E[L(low)] ≥ target and `high` where E[L(high)] < target; the answer is
 * max(low, 1), i.e. the last step count found *above* the target (the first crossing that
 * bisection finds — momentum curves may oscillate, and this is what the notebook reports).
 * A search whose `low` ends at high − 1 never saw the loss below the target: unreachable (null),
 * where the notebook returns high − 1 and lets the grid minimum discard it.
 */

/** The notebook's search ranges: SGD [0, 1e9), momentum and EMA [0, 1e7). */
export const SGD_HIGH = 1_000_000_000;
export const MOMENTUM_HIGH = 10_000_000;

function checkHigh(high: number): void {
  if (!Number.isInteger(high) || high < 2) throw new Error(`nqm: search range high must be an integer ≥ 2, got ${high}`);
}

/** The notebook's bisection on any loss curve (at most ⌈log₂ high⌉ evaluations; never loops forever). */
export function bisectSteps(lossAt: (k: number) => number, target: number, high: number): number | null {
  checkHigh(high);
  const top = high;
  let low = 0;
  while (low < high - 1) {
    const mid = Math.floor((low + high) / 2);
    // NaN/∞ (a diverging setting) compare false: treated as not below the target.
    if (lossAt(mid) < target) high = mid;
    else low = mid;
  }
  return low === top - 1 ? null : Math.max(low, 1);
}

/**
 * The same search by binary lifting: from k = 0, try jumps of 2^j (largest first, staying below
 * `high`) and take each jump whose loss is still not below the target. `tryJump(j)` evaluates the
 * state 2^j steps past the current one and returns its loss; `accept()` makes it current. For a
 * monotone curve this returns exactly what bisection returns; each evaluation costs one table
 * application instead of O(log k).
 */
export function liftSteps(levels: number, high: number, target: number, tryJump: (j: number) => number, accept: () => void): number | null {
  checkHigh(high);
  if (2 ** levels < high) throw new Error(`nqm: ${levels} levels cannot reach step ${high - 1}`);
  let k = 0;
  for (let j = levels - 1; j >= 0; j--) {
    const step = 2 ** j;
    if (k + step >= high) continue;
    if (!(tryJump(j) < target)) {
      accept();
      k += step;
    }
  }
  return k === high - 1 ? null : Math.max(k, 1);
}
