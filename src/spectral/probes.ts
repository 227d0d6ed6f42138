/** Random probe vectors drawn from PRNG keys (the same key gives the same vectors, bit for bit). */
import { normal, randomBits, split, type Key } from '../tensor/prng.ts';

/** `count` Rademacher vectors (entries ±1 with equal probability) of length n, one key per vector. */
export function rademacher(k: Key, count: number, n: number): Float64Array[] {
  return split(k, count).map((kk) => {
    const bits = randomBits(kk, n);
    return Float64Array.from(bits, (b) => ((b & 1) === 0 ? 1 : -1));
  });
}

/** A standard normal vector of length n. */
export function gaussian(k: Key, n: number): Float64Array {
  return Float64Array.from(normal(k, n));
}
