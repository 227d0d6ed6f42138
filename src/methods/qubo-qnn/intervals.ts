/**
 * Forward interval propagation (FIP): bounds on every pre-activation from bounds on the inputs
 * and the weight range, by interval arithmetic: for u = Σ_i w_i a_i with w_i ∈ [q_lo, q_hi] and
 * a_i ∈ [l_i, h_i], each product lies between the min and max of its four corner products.
 * With data (a sample's exact inputs) the first layer's bounds are per sample and tight.
 */

export interface Interval {
  lo: number;
  hi: number;
}

export function productBounds(w: Interval, a: Interval): Interval {
  const c = [w.lo * a.lo, w.lo * a.hi, w.hi * a.lo, w.hi * a.hi];
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

/** Bounds of Σ_i w_i a_i over the box. */
export function dotBounds(w: Interval, a: readonly Interval[]): Interval {
  let lo = 0;
  let hi = 0;
  for (const ai of a) {
    const p = productBounds(w, ai);
    lo += p.lo;
    hi += p.hi;
  }
  return { lo, hi };
}

/** Layer-by-layer bounds of an MLP's pre-activations given input intervals, a weight interval and each layer's activation range. */
export function propagate(
  inputs: readonly Interval[],
  w: Interval,
  widths: readonly number[],
  actRange: (layer: number, pre: Interval) => Interval,
): Interval[][] {
  const out: Interval[][] = [];
  let a = inputs;
  for (let l = 0; l < widths.length; l++) {
    const pre = dotBounds(w, a);
    const layer = Array.from({ length: widths[l]! }, () => ({ ...pre }));
    out.push(layer);
    a = layer.map((p) => actRange(l, p));
  }
  return out;
}
