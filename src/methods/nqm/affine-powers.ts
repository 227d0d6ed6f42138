/**
 * Powers of the real affine map p ↦ T·p + q·1 of every group (the 4×4 matrix [[T, q·1], [0, 1]]),
 * by repeated squaring, with no eigendecomposition (T has complex eigenvalues when momentum is
 * underdamped). Level j holds T^(2^j) and S_j = Σ_{i<2^j} T^i·1, so 2^j steps map p to
 * T^(2^j)·p + q·S_j. The table does not depend on q, so one table serves every batch size
 * (q ∝ 1/B is the only place B enters).
 */
export class AffinePowers3 {
  readonly T: Float64Array;
  readonly S: Float64Array;

  constructor(
    readonly groups: number,
    readonly levels: number,
  ) {
    this.T = new Float64Array(levels * groups * 9);
    this.S = new Float64Array(levels * groups * 3);
  }

  /** Fill the table from the per-group 3×3 transitions (row-major, 9 per group). */
  build(mats: Float64Array): this {
    const n = this.groups;
    const { T, S } = this;
    T.set(mats.subarray(0, 9 * n), 0);
    S.fill(1, 0, 3 * n);
    for (let j = 1; j < this.levels; j++) {
      const src = (j - 1) * n;
      const dst = j * n;
      for (let g = 0; g < n; g++) {
        const a = 9 * (src + g);
        const o = 9 * (dst + g);
        const a0 = T[a]!,
          a1 = T[a + 1]!,
          a2 = T[a + 2]!,
          a3 = T[a + 3]!,
          a4 = T[a + 4]!,
          a5 = T[a + 5]!,
          a6 = T[a + 6]!,
          a7 = T[a + 7]!,
          a8 = T[a + 8]!;
        T[o] = a0 * a0 + a1 * a3 + a2 * a6;
        T[o + 1] = a0 * a1 + a1 * a4 + a2 * a7;
        T[o + 2] = a0 * a2 + a1 * a5 + a2 * a8;
        T[o + 3] = a3 * a0 + a4 * a3 + a5 * a6;
        T[o + 4] = a3 * a1 + a4 * a4 + a5 * a7;
        T[o + 5] = a3 * a2 + a4 * a5 + a5 * a8;
        T[o + 6] = a6 * a0 + a7 * a3 + a8 * a6;
        T[o + 7] = a6 * a1 + a7 * a4 + a8 * a7;
        T[o + 8] = a6 * a2 + a7 * a5 + a8 * a8;
        // S_{2m} = S_m + T^m·S_m
        const s = 3 * (src + g);
        const s0 = S[s]!,
          s1 = S[s + 1]!,
          s2 = S[s + 2]!;
        const so = 3 * (dst + g);
        S[so] = s0 + a0 * s0 + a1 * s1 + a2 * s2;
        S[so + 1] = s1 + a3 * s0 + a4 * s1 + a5 * s2;
        S[so + 2] = s2 + a6 * s0 + a7 * s1 + a8 * s2;
      }
    }
    return this;
  }

  /** out = state after 2^j more steps from `state` (3 per group), with noise terms q (one per group). */
  advance(j: number, state: Float64Array, q: Float64Array, out: Float64Array): Float64Array {
    const n = this.groups;
    const { T, S } = this;
    const base = j * n;
    for (let g = 0; g < n; g++) {
      const o = 9 * (base + g);
      const so = 3 * (base + g);
      const p0 = state[3 * g]!,
        p1 = state[3 * g + 1]!,
        p2 = state[3 * g + 2]!;
      const qg = q[g]!;
      out[3 * g] = T[o]! * p0 + T[o + 1]! * p1 + T[o + 2]! * p2 + qg * S[so]!;
      out[3 * g + 1] = T[o + 3]! * p0 + T[o + 4]! * p1 + T[o + 5]! * p2 + qg * S[so + 1]!;
      out[3 * g + 2] = T[o + 6]! * p0 + T[o + 7]! * p1 + T[o + 8]! * p2 + qg * S[so + 2]!;
    }
    return out;
  }

  /** Σ_g w_g·state[3g + index]: the loss read from a state. */
  static read(state: Float64Array, w: Float64Array, index: number): number {
    let l = 0;
    for (let g = 0; g < w.length; g++) l += w[g]! * state[3 * g + index]!;
    return l;
  }

  /** The state after k steps (k < 2^levels), in O(levels) table applications. */
  stateAt(k: number, init: Float64Array, q: Float64Array): Float64Array {
    if (!Number.isInteger(k) || k < 0) throw new Error(`nqm: step count must be a non-negative integer, got ${k}`);
    if (k >= 2 ** this.levels) throw new Error(`nqm: step ${k} is beyond this power table (2^${this.levels} steps)`);
    let cur = Float64Array.from(init);
    let tmp = new Float64Array(cur.length);
    for (let j = 0; k > 0; j++, k = Math.floor(k / 2)) {
      if (k % 2 === 1) {
        this.advance(j, cur, q, tmp);
        [cur, tmp] = [tmp, cur];
      }
    }
    return cur;
  }
}

/** Levels needed to reach every step count below `high`. */
export function levelsFor(high: number): number {
  return Math.max(1, Math.ceil(Math.log2(high)));
}
