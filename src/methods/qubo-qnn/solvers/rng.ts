/**
 * xoshiro128** (Blackman & Vigna), the solvers' inner-loop generator: four uint32 words of state,
 * a few shifts and one multiply per draw — several times faster than the keyed Threefry, and
 * seeded from a PRNG key of src/tensor so every run is reproducible by seed.
 */
import { randomBits, type Key } from '../../../tensor/prng.ts';

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: Key) {
    const w = randomBits(key, 4);
    this.a = w[0]! | 0;
    this.b = w[1]! | 0;
    this.c = w[2]! | 0;
    this.d = w[3]! | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
  }

  /** A uniform uint32. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r >>> 0;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextU32() * 2.3283064365386963e-10;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** The raw state, for solvers that inline the generator in their hot loop. */
  state(): Int32Array {
    return Int32Array.of(this.a, this.b, this.c, this.d);
  }

  setState(s: Int32Array): void {
    this.a = s[0]!;
    this.b = s[1]!;
    this.c = s[2]!;
    this.d = s[3]!;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
