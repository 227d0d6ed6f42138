/** Small PRNG helpers on explicit keys (never the global generator): permutations and normal vectors. */
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';

/** A uniformly random permutation of 0..n−1 (Fisher–Yates on uniforms drawn from `key`). */
export function permutation(key: Key, n: number): number[] {
  const out = [...Array(n).keys()];
  if (n < 2) return out;
  const u = random.uniform(key, [n]).data;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i]! * (i + 1)));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** n independent standard normals, float64. */
export function normals(key: Key, n: number): Float64Array {
  return Float64Array.from(random.normal(key, [n], { dtype: 'float64' }).data);
}
