/**
 * Gradients plus per-layer statistics for optimizers that declare `needs: ['layerStats']`
 * (K-FAC). Each tapped layer's pre-activation s gets a zero "probe" added; ∂loss/∂probe =
 * ∂loss/∂s comes out of the same backward pass as the weight gradients. Probe shapes come from a
 * recording forward pass, cached per model and batch shape.
 */
import { Tensor, zeros } from '../tensor/tensor.ts';
import { add } from '../tensor/ops.ts';
import { stopGradient, valueAndGrad } from '../tensor/transforms.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import type { ApplyCtx, Layer, TapSite } from '../nn/layer.ts';
import type { LayerStat } from '../optim/transform.ts';

const probeShapeCache = new WeakMap<object, Map<string, Map<string, readonly number[]>>>();

/**
 * `objective(params, output)` is the full objective given the model output for `x` (data loss plus
 * any parameter-aware term); it is differentiated once, with the probes in place.
 */
export function gradientsWithLayerStats<P extends Tree>(
  model: Layer<P>,
  params: P,
  x: Tensor,
  objective: (params: P, output: Tensor) => Tensor,
  ctx: ApplyCtx,
): { value: Tensor; grads: P; layerStats: Map<string, LayerStat> } {
  let byModel = probeShapeCache.get(model);
  if (!byModel) probeShapeCache.set(model, (byModel = new Map()));
  const shapeKey = `${x.dtype}:${x.shape.join('x')}`;
  let shapes = byModel.get(shapeKey);
  if (!shapes) {
    const found = new Map<string, readonly number[]>();
    model.apply(params, x, { ...ctx, state: { ...ctx.state }, tap: (site) => (found.set(site.name, site.preActivation.shape), site.preActivation) });
    byModel.set(shapeKey, (shapes = found));
  }
  const probes: Record<string, Tensor> = {};
  for (const [name, shape] of shapes) probes[name] = zeros(shape, x.dtype);

  const sites = new Map<string, { site: TapSite; weightPath: string; biasPath?: string }>();
  const withProbes = (t: { params: P; probes: Record<string, Tensor> }): Tensor => {
    const { leaves, paths } = treeFlatten(t.params);
    const pathOf = (w: Tensor | undefined): string | undefined => (w ? paths[leaves.indexOf(w)] : undefined);
    const tap = (site: TapSite): Tensor => {
      const probe = t.probes[site.name];
      if (!probe) throw new Error(`train step: layer ${site.name} appeared only after the probe pass (layer names must be stable)`);
      const weightPath = pathOf(site.weight);
      if (weightPath === undefined) throw new Error(`train step: layer ${site.name} tapped a weight that is not in the params tree`);
      sites.set(site.name, { site: { ...site, input: stopGradient(site.input) }, weightPath, biasPath: pathOf(site.bias) });
      return add(site.preActivation, probe);
    };
    return objective(t.params, model.apply(t.params, x, { ...ctx, tap }));
  };
  const { value, grads } = valueAndGrad(withProbes)({ params, probes });
  const layerStats = new Map<string, LayerStat>();
  for (const [name, { site, weightPath, biasPath }] of sites) {
    layerStats.set(name, { kind: site.kind, input: site.input, outputGrad: grads.probes[name]!, weightPath, biasPath });
  }
  return { value, grads: grads.params, layerStats };
}
