/** The official notebook's hyperparameter grids and batch sizes (nqm.ipynb, `optimal_ttl*`). */

/** numpy's logspace(a, b, n): n values 10^a … 10^b, evenly spaced in the exponent. */
export function logspace(a: number, b: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`logspace: n must be a positive integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => 10 ** (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/** SGD: α ∈ logspace(−5, 0.5, 100) (largest stable value 1.896 for p's cap α < 2). */
export const sgdLrGrid = (): number[] => logspace(-5, 0.5, 100);
/** Momentum and EMA: α ∈ logspace(−8, 1, 100). */
export const momentumLrGrid = (): number[] => logspace(-8, 1, 100);
/** β (momentum) and γ (EMA) ∈ 1 − logspace(−5, 0, 20); the last value is 0 (no momentum / no averaging). */
export const coefGrid = (): number[] => logspace(-5, 0, 20).map((v) => 1 - v);

/** Powers of two 2^from … 2^to in steps of `every` (the notebook plots 2^2, 2^4, …, 2^20). */
export function powersOfTwo(from: number, to: number, every = 1): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || !Number.isInteger(every) || every < 1 || to < from) {
    throw new Error(`powersOfTwo: need integers from ≤ to and every ≥ 1, got ${from}, ${to}, ${every}`);
  }
  const out: number[] = [];
  for (let e = from; e <= to; e += every) out.push(2 ** e);
  return out;
}
