/**
 * Layer gradient check: the gradient of s = Σ u ⊙ layer(params, x) (u a fixed random cotangent)
 * with respect to every parameter AND the input, against central finite differences with one
 * Richardson step, D = (4·D(h/2) − D(h))/3, whose truncation error is O(h⁴) — accurate to
 * ~1e-10 relative for smooth float64 layers, so a 1e-6 tolerance is meaningful. Use float64 and
 * keep inputs away from kinks (relu at 0, ties in max-pool) by more than h.
 */
import { Tensor } from '../tensor/tensor.ts';
import { mul, sum } from '../tensor/ops.ts';
import { grad } from '../tensor/transforms.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { ApplyCtx, Layer } from './layer.ts';

export interface GradCheckOptions {
  /** A context, or a factory called for every evaluation (fresh BatchNorm state each time). */
  ctx?: ApplyCtx | (() => ApplyCtx);
  /** Key for the cotangent u (default key(0)). */
  key?: Key;
  rtol?: number;
  /** Absolute slack, relative to the largest gradient entry (for entries that are ~0). */
  atol?: number;
  h?: number;
}

export interface GradCheckResult {
  checked: number;
  maxAbsErr: number;
  /** Worst |analytic − numeric| / max(|numeric|, atol·scale). */
  maxRelErr: number;
  worst: string;
}

/** Throws (listing the worst entries) when any entry is off by more than rtol·|numeric| + atol·max|numeric|. */
export function checkLayerGradients<P extends Tree>(layer: Layer<P>, params: P, x: Tensor, opts: GradCheckOptions = {}): GradCheckResult {
  const ctxOf = typeof opts.ctx === 'function' ? opts.ctx : () => (opts.ctx as ApplyCtx | undefined) ?? { training: false };
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-9;
  const h = opts.h ?? 1e-3;
  const y0 = layer.apply(params, x, ctxOf());
  const u = random.normal(opts.key ?? random.key(0), y0.shape, { dtype: y0.dtype as 'float64' | 'float32' });
  const f = (t: { params: P; x: Tensor }): Tensor => sum(mul(u, layer.apply(t.params, t.x, ctxOf())));
  const analytic = treeFlatten(grad(f)({ params, x }));
  const { leaves, paths, unflatten } = treeFlatten({ params, x } as { params: P; x: Tensor });

  const evalAt = (leaf: number, idx: number, delta: number): number => {
    const moved = leaves.map((t, i) => {
      if (i !== leaf) return t;
      const data = t.data.slice();
      data[idx] = data[idx]! + delta;
      return new Tensor(data, t.shape, t.dtype);
    });
    return f(unflatten(moved)).item();
  };
  const central = (leaf: number, idx: number, step: number): number => (evalAt(leaf, idx, step) - evalAt(leaf, idx, -step)) / (2 * step);

  const numeric: number[][] = leaves.map((t, i) =>
    Array.from(t.data, (_, j) => {
      const d1 = central(i, j, h);
      const d2 = central(i, j, h / 2);
      return (4 * d2 - d1) / 3;
    }),
  );
  const scale = Math.max(1, ...numeric.flat().map(Math.abs));
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let worst = '';
  const bad: string[] = [];
  numeric.forEach((row, i) =>
    row.forEach((n, j) => {
      const a = Number(analytic.leaves[i]!.data[j]);
      const err = Math.abs(a - n);
      const rel = err / Math.max(Math.abs(n), (atol / rtol) * scale);
      if (err > maxAbsErr) maxAbsErr = err;
      if (rel > maxRelErr) {
        maxRelErr = rel;
        worst = `${paths[i]}[${j}]`;
      }
      if (err > rtol * Math.abs(n) + atol * scale) bad.push(`${paths[i]}[${j}]: analytic ${a}, numeric ${n} (|Δ| ${err.toExponential(2)})`);
    }),
  );
  const checked = numeric.reduce((s, r) => s + r.length, 0);
  if (bad.length > 0) {
    throw new Error(`checkLayerGradients '${layer.name}': ${bad.length} of ${checked} entries differ beyond rtol ${rtol}:\n  ${bad.slice(0, 8).join('\n  ')}`);
  }
  return { checked, maxAbsErr, maxRelErr, worst };
}
