/**
 * Which parameter leaves are linear/conv weights and biases: found by one tapped forward pass
 * (the layers hand the very tensors of the params tree to `ctx.tap`), so DASH, Shrink & Perturb and
 * reset-head never guess from names or shapes. BatchNorm/LayerNorm params are never sites.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import { rowRange } from '../../data/step-batches.ts';
import type { Layer, ModelState, TapKind } from '../../nn/layer.ts';

export interface WeightSite {
  /** The layer's name (unique in the model). */
  readonly name: string;
  readonly type: TapKind['type'];
  /** Index of the weight leaf in treeFlatten(params) order, and its path. */
  readonly weightLeaf: number;
  readonly weightPath: string;
  readonly biasLeaf?: number;
  readonly biasPath?: string;
}

/** The linear and conv layers of `model`, in forward order (the last one is the head). */
export function weightSites<P extends Tree>(model: Layer<P>, params: P, x: Tensor, modelState: ModelState = {}): WeightSite[] {
  const { leaves, paths } = treeFlatten(params);
  const sites: WeightSite[] = [];
  // One example in eval mode is enough to walk the layers; the scratch state copy keeps BatchNorm buffers untouched.
  model.apply(params, rowRange(x, 0, 1), {
    training: false,
    state: { ...modelState },
    tap: (site) => {
      const w = leaves.indexOf(site.weight);
      if (w < 0) throw new Error(`weightSites: layer '${site.name}' tapped a weight that is not in the params tree`);
      const b = site.bias ? leaves.indexOf(site.bias) : -1;
      sites.push({
        name: site.name,
        type: site.kind.type,
        weightLeaf: w,
        weightPath: paths[w]!,
        ...(b >= 0 ? { biasLeaf: b, biasPath: paths[b]! } : {}),
      });
      return site.preActivation;
    },
  });
  if (sites.length === 0) throw new Error(`weightSites: model '${model.name}' has no linear or conv layer`);
  return sites;
}
