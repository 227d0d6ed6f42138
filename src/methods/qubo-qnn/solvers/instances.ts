/**
 * Benchmark instances. random: Gaussian couplings on a random graph of average degree `degree`
 * (complete when degree ≥ n−1) and Gaussian fields. planted: a frustration-free ("gauge-transformed
 * ferromagnet") model whose ground state s* is known: J_ij = −|g_ij| s*_i s*_j and h_i = −|g_i| s*_i,
 * so every term is at its minimum at s* and E(s*) = offset − Σ|J| − Σ|h| is the optimum.
 */
import { Xoshiro128 } from './rng.ts';
import { isingModel, type IsingModel } from './model.ts';
import type { Key } from '../../../tensor/prng.ts';

function gauss(rng: Xoshiro128): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function edges(rng: Xoshiro128, n: number, degree: number): [number, number][] {
  const out: [number, number][] = [];
  if (degree >= n - 1) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
    return out;
  }
  const seen = new Set<number>();
  const m = Math.round((n * degree) / 2);
  while (out.length < m) {
    const i = rng.int(n);
    const j = rng.int(n);
    if (i === j) continue;
    const k = Math.min(i, j) * n + Math.max(i, j);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([Math.min(i, j), Math.max(i, j)]);
  }
  return out;
}

export function randomInstance(key: Key, n: number, degree = n - 1, fieldScale = 0.5): IsingModel {
  const rng = new Xoshiro128(key);
  const h = Array.from({ length: n }, () => fieldScale * gauss(rng));
  return isingModel(
    h,
    edges(rng, n, degree).map(([i, j]) => ({ i, j, v: gauss(rng) })),
  );
}

export function plantedInstance(key: Key, n: number, degree = n - 1): { model: IsingModel; ground: Int8Array; groundEnergy: number } {
  const rng = new Xoshiro128(key);
  const s = Int8Array.from({ length: n }, () => (rng.nextU32() & 1 ? 1 : -1));
  let e = 0;
  const h = Array.from({ length: n }, (_, i) => {
    const g = 0.1 * Math.abs(gauss(rng));
    e -= g;
    return -g * s[i]!;
  });
  const J = edges(rng, n, degree).map(([i, j]) => {
    const g = 0.1 + Math.abs(gauss(rng));
    e -= g;
    return { i, j, v: -g * s[i]! * s[j]! };
  });
  return { model: isingModel(h, J), ground: s, groundEnergy: e };
}
