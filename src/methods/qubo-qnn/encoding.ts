/**
 * Weight encodings: a weight with values in a finite set Q is a linear form in its bits,
 * w = c + Σ_b coef_b x_b, plus (possibly) a linear constraint on those bits.
 *   one-hot:       w = Σ_r q_r ω_r,                   Σ_r ω_r = 1       (|Q| bits)
 *   offset binary: w = q_min + Δ·Σ_b 2^b β_b,         w ≤ q_max when 2^B levels exceed |Q|  (⌈log₂|Q|⌉ bits)
 * Offset binary needs Q to be an evenly spaced grid.
 */

export type EncodingKind = 'one-hot' | 'offset-binary';

export interface WeightEncoding {
  readonly kind: EncodingKind;
  readonly values: readonly number[];
  readonly bits: number;
  readonly constant: number;
  readonly coef: Float64Array;
  /** The bits' linear constraint: lo ≤ Σ rowCoef_b x_b ≤ hi, or null. */
  readonly constraint: { coef: Float64Array; lo: number; hi: number } | null;
  /** The value of valid bits. */
  decode(bits: ArrayLike<number>): number;
  encode(value: number): Uint8Array;
  /** The nearest valid value to fractional bits (one-hot: argmax; offset: rounded, clipped). */
  repair(frac: ArrayLike<number>): number;
  valid(bits: ArrayLike<number>): boolean;
}

export function weightEncoding(kind: EncodingKind, values: readonly number[]): WeightEncoding {
  const q = [...values].sort((a, b) => a - b);
  if (q.length < 2 || new Set(q).size !== q.length || q.some((v) => !Number.isFinite(v)))
    throw new Error(`weightEncoding: values must be ≥ 2 distinct finite numbers, got ${JSON.stringify(values)}`);
  if (kind === 'one-hot') {
    const coef = Float64Array.from(q);
    return {
      kind,
      values: q,
      bits: q.length,
      constant: 0,
      coef,
      constraint: { coef: new Float64Array(q.length).fill(1), lo: 1, hi: 1 },
      decode: (b) => {
        let w = 0;
        for (let r = 0; r < q.length; r++) w += q[r]! * b[r]!;
        return w;
      },
      encode: (v) => {
        const r = q.indexOf(v);
        if (r < 0) throw new Error(`one-hot: ${v} is not in ${JSON.stringify(q)}`);
        const o = new Uint8Array(q.length);
        o[r] = 1;
        return o;
      },
      repair: (f) => {
        let r = 0;
        for (let k = 1; k < q.length; k++) if (f[k]! > f[r]!) r = k;
        return q[r]!;
      },
      valid: (b) => {
        let s = 0;
        for (let r = 0; r < q.length; r++) {
          if (b[r] !== 0 && b[r] !== 1) return false;
          s += b[r]!;
        }
        return s === 1;
      },
    };
  }
  const delta = q[1]! - q[0]!;
  for (let r = 2; r < q.length; r++)
    if (Math.abs(q[r]! - q[r - 1]! - delta) > 1e-12 * Math.max(1, Math.abs(delta)))
      throw new Error(`offset-binary: values must be evenly spaced, got ${JSON.stringify(q)}`);
  const B = Math.ceil(Math.log2(q.length));
  const coef = Float64Array.from({ length: B }, (_, b) => delta * 2 ** b);
  const maxLevel = q.length - 1;
  const level = (b: ArrayLike<number>): number => {
    let l = 0;
    for (let k = 0; k < B; k++) l += 2 ** k * b[k]!;
    return l;
  };
  return {
    kind,
    values: q,
    bits: B,
    constant: q[0]!,
    coef,
    constraint: 2 ** B - 1 > maxLevel ? { coef: Float64Array.from({ length: B }, (_, b) => 2 ** b), lo: 0, hi: maxLevel } : null,
    decode: (b) => q[0]! + delta * level(b),
    encode: (v) => {
      const l = Math.round((v - q[0]!) / delta);
      if (!(l >= 0 && l <= maxLevel) || Math.abs(q[0]! + l * delta - v) > 1e-12) throw new Error(`offset-binary: ${v} is not in ${JSON.stringify(q)}`);
      return Uint8Array.from({ length: B }, (_, k) => (l >> k) & 1);
    },
    repair: (f) => {
      const l = Math.min(maxLevel, level(Array.from({ length: B }, (_, k) => (f[k]! >= 0.5 ? 1 : 0))));
      return q[0]! + delta * l;
    },
    valid: (b) => {
      for (let k = 0; k < B; k++) if (b[k] !== 0 && b[k] !== 1) return false;
      return level(b) <= maxLevel;
    },
  };
}
