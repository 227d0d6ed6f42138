/**
 * The notes' teacher (§6.3), our concrete choice: the student's own architecture with 10 active
 * neurons (m = 1…10, so a_m = μ_m^α decays) whose coordinates are drawn N(0, 1) — input
 * weights, biases and output weights — fixed by the data key, x ~ U[−1, 1]^d.
 * - regression: y = f*(x) + N(0, noise²);
 * - classification: y = sign(f*(x) − median f*), keeping only points with |f*(x) − median| ≥
 *   margin·std(f*) (rejection sampling), so the classes are balanced and separated by a margin.
 */
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { twoLayerNet, type TwoLayerNet, type TwoLayerParams } from './model.ts';

export interface Teacher {
  net: TwoLayerNet;
  params: TwoLayerParams;
  f(x: Tensor): Float64Array;
}

export function makeTeacher(key: Key, d: number, active = 10, o: { p?: number; alpha?: number } = {}): Teacher {
  const net = twoLayerNet({ inputDim: d, width: active, p: o.p ?? 2, alpha: o.alpha ?? 0.5 });
  const [kw, kv] = random.split(key) as [Key, Key];
  const params = { w: random.normal(kw, [d + 1, active]), v: random.normal(kv, [active]) };
  return { net, params, f: (x) => Float64Array.from(net.apply(params, x).data as Float64Array) };
}

export function uniformInputs(key: Key, n: number, d: number): Tensor {
  return random.uniform(key, [n, d], { low: -1, high: 1 });
}

export interface RegressionData {
  x: Tensor;
  y: Tensor;
  fStar: Float64Array;
}

export function regressionData(key: Key, teacher: Teacher, n: number, noise: number): RegressionData {
  const [kx, ke] = random.split(key) as [Key, Key];
  const x = uniformInputs(kx, n, teacher.net.inputDim);
  const fStar = teacher.f(x);
  const e = random.normal(ke, [n]).data as Float64Array;
  return {
    x,
    y: new Tensor(
      fStar.map((f, i) => f + noise * e[i]!),
      [n],
    ),
    fStar,
  };
}

/** Threshold (median of f*) and scale (std of f*) of the teacher on a large reference sample. */
export function teacherStats(teacher: Teacher, key: Key, n = 20_000): { median: number; std: number } {
  const f = teacher.f(uniformInputs(key, n, teacher.net.inputDim));
  const sorted = Float64Array.from(f).sort();
  const mean = f.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(f.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return { median: sorted[Math.floor(n / 2)]!, std };
}

export function classificationData(key: Key, teacher: Teacher, n: number, stats: { median: number; std: number }, margin: number): { x: Tensor; y: Tensor } {
  const d = teacher.net.inputDim;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let round = 0; ys.length < n; round++) {
    if (round > 200) throw new Error(`classificationData: margin ${margin} rejects almost every point (kept ${ys.length} of ${n})`);
    const x = uniformInputs(random.foldIn(key, round), Math.max(256, 2 * n), d);
    const f = teacher.f(x);
    const xd = x.data as Float64Array;
    for (let i = 0; i < f.length && ys.length < n; i++) {
      const z = f[i]! - stats.median;
      if (Math.abs(z) < margin * stats.std) continue;
      for (let j = 0; j < d; j++) xs.push(xd[i * d + j]!);
      ys.push(z > 0 ? 1 : -1);
    }
  }
  return { x: new Tensor(Float64Array.from(xs), [n, d]), y: new Tensor(Float64Array.from(ys), [n]) };
}
