/**
 * dwave-samplers' default β range for simulated annealing (`_default_ising_beta_range`, ported
 * as-is): the hot β lets the spin with the largest possible field flip with probability ½,
 * β_hot = ln 2 / (2·max_i Σ|bias_i|); the cold β makes the smallest single-spin excitation rare,
 * β_cold = ln(#spins at the min gap / 0.01) / (2·min nonzero |bias|).
 */
import type { IsingModel } from './model.ts';

export function defaultBetaRange(m: IsingModel): [number, number] {
  const n = m.n;
  const sumAbs = new Float64Array(n);
  const minAbs = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const hi = Math.abs(m.h[i]!);
    sumAbs[i] = hi;
    if (hi !== 0) minAbs[i] = hi;
    for (let p = m.rowPtr[i]!; p < m.rowPtr[i + 1]!; p++) {
      const v = Math.abs(m.val[p]!);
      sumAbs[i]! += v;
      if (v !== 0 && v < minAbs[i]!) minAbs[i] = v;
    }
  }
  let maxField = 0;
  let minField = Infinity;
  for (let i = 0; i < n; i++) {
    maxField = Math.max(maxField, sumAbs[i]!);
    minField = Math.min(minField, minAbs[i]!);
  }
  if (!Number.isFinite(minField)) return [0.1, 1]; // a null Hamiltonian: dwave's fallback
  const hot = maxField === 0 ? 1 : Math.LN2 / (2 * maxField);
  let gaps = 0;
  for (let i = 0; i < n; i++) if (minAbs[i] === minField) gaps++;
  const cold = Math.log(gaps / 0.01) / (2 * minField);
  return [hot, cold];
}

/** β_k = β_hot·(β_cold/β_hot)^{k/(sweeps−1)}: numpy.geomspace(hot, cold, sweeps). */
export function geometricSchedule(hot: number, cold: number, sweeps: number): Float64Array {
  const b = new Float64Array(sweeps);
  if (sweeps === 1) {
    b[0] = cold;
    return b;
  }
  const r = Math.log(cold / hot) / (sweeps - 1);
  for (let k = 0; k < sweeps; k++) b[k] = hot * Math.exp(r * k);
  b[sweeps - 1] = cold;
  return b;
}
