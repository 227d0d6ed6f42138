/**
 * Test fixtures for the optimizer tests (not exported from the package): layer statistics via the
 * same probe trick as the trainer, the two suite objectives, and a small dense inverse.
 *
 * Layer stats: each tapped pre-activation s gets a zero "probe" p added (s + p); valueAndGrad
 * over { params, probes } then gives ∂loss/∂p = ∂loss/∂s (the outputGrad of LayerStat) from the
 * same backward pass as the weight gradients. Weight/bias paths are found by tensor identity.
 */
import { Tensor, zeros } from '../../src/tensor/tensor.ts';
import { add, matmul, mul, slice, square, sub, sum } from '../../src/tensor/ops.ts';
import { stopGradient, valueAndGrad } from '../../src/tensor/transforms.ts';
import { treeFlatten, type Tree } from '../../src/tensor/tree.ts';
import type { TapSite } from '../../src/nn/layer.ts';
import type { LayerStat } from '../../src/optim/transform.ts';

export type Tap = (site: TapSite) => Tensor;
export type TappedLoss<P extends Tree> = (params: P, tap?: Tap) => Tensor;

export function gradsWithStats<P extends Tree>(lossFn: TappedLoss<P>, params: P): { value: Tensor; grads: P; layerStats: Map<string, LayerStat> } {
  const shapes = new Map<string, readonly number[]>();
  lossFn(params, (site) => (shapes.set(site.name, site.preActivation.shape), site.preActivation));
  const probes: Record<string, Tensor> = {};
  for (const [name, shape] of shapes) probes[name] = zeros(shape);
  const sites = new Map<string, { site: TapSite; weightPath: string; biasPath?: string }>();
  const f = (t: { params: P; probes: Record<string, Tensor> }): Tensor => {
    const { leaves, paths } = treeFlatten(t.params);
    const pathOf = (x: Tensor | undefined): string | undefined => (x ? paths[leaves.indexOf(x)] : undefined);
    return lossFn(t.params, (site) => {
      sites.set(site.name, { site: { ...site, input: stopGradient(site.input) }, weightPath: pathOf(site.weight)!, biasPath: pathOf(site.bias) });
      return add(site.preActivation, t.probes[site.name]!);
    });
  };
  const { value, grads } = valueAndGrad(f)({ params, probes });
  const layerStats = new Map<string, LayerStat>();
  for (const [name, { site, weightPath, biasPath }] of sites) {
    layerStats.set(name, { kind: site.kind, input: site.input, outputGrad: grads.probes[name]!, weightPath, biasPath });
  }
  return { value, grads: grads.params, layerStats };
}

/**
 * Ill-conditioned quadratic ½ wᵀHw, H = diag(1, 100), written as a least-squares linear layer so
 * that K-FAC has a layer to precondition: mean_n ½(x_nᵀw − y_n)² − ½ over four examples with
 * XᵀX/4 = H and targets y = (1, 1, −1, −1) orthogonal to X's columns. The residual at the optimum
 * keeps the empirical Fisher factor G = mean r² ≥ 1 away from zero (with a zero residual, K-FAC's
 * G → 0 at the optimum and its steps blow up, a known trait of the empirical Fisher). The
 * constant −½ makes the minimum value exactly 0.
 */
export type QuadParams = { w: Tensor };
const [a, b] = [Math.SQRT2, 10 * Math.SQRT2];
const X = new Tensor(Float64Array.from([a, 0, 0, b, a, 0, 0, b]), [4, 2]);
const Y = new Tensor(Float64Array.from([1, 1, -1, -1]), [4, 1]);
export const quadratic: TappedLoss<QuadParams> = (p, tap) => {
  let s = matmul(X, p.w);
  if (tap) s = tap({ name: 'quad', kind: { type: 'linear', bias: false }, input: X, preActivation: s, weight: p.w });
  return sub(mul(sum(square(sub(s, Y))), 1 / 8), 0.5);
};
export const quadraticStart = (): QuadParams => ({ w: new Tensor(Float64Array.from([1, 1]), [2, 1]) });

/** Rosenbrock (1−x)² + 100(y−x²)², from the classic start (−1.2, 1); no tapped layers. */
export type RosenParams = { xy: Tensor };
export const rosenbrock: TappedLoss<RosenParams> = (p) => {
  const x = slice(p.xy, [0], [1]);
  const y = slice(p.xy, [1], [2]);
  return sum(add(square(sub(1, x)), mul(square(sub(y, square(x))), 100)));
};
export const rosenbrockStart = (): RosenParams => ({ xy: new Tensor(Float64Array.from([-1.2, 1]), [2]) });

/** Dense inverse by Gauss–Jordan with partial pivoting (row-major n×n), for references only. */
export function denseInverse(a: readonly number[] | Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[piv * n + c]!)) piv = r;
    if (m[piv * n + c] === 0) throw new Error('denseInverse: singular');
    for (let k = 0; k < n; k++) {
      [m[c * n + k], m[piv * n + k]] = [m[piv * n + k]!, m[c * n + k]!];
      [inv[c * n + k], inv[piv * n + k]] = [inv[piv * n + k]!, inv[c * n + k]!];
    }
    const d = m[c * n + c]!;
    for (let k = 0; k < n; k++) {
      m[c * n + k]! /= d;
      inv[c * n + k]! /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c]!;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        m[r * n + k]! -= f * m[c * n + k]!;
        inv[r * n + k]! -= f * inv[c * n + k]!;
      }
    }
  }
  return inv;
}
