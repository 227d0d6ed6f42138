/** reset-head (official `fc_reset`): after each chunk, the last linear/conv layer gets fresh initial weights. */
import type { Key } from '../../tensor/prng.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import type { Layer } from '../../nn/layer.ts';
import type { WeightSite } from './sites.ts';

function findLayer(layer: Layer<any>, name: string): Layer<any> | undefined {
  if (layer.name === name) return layer;
  const children = (layer as { layers?: unknown }).layers;
  if (!Array.isArray(children)) return undefined;
  for (const c of children as Layer<any>[]) {
    const f = findLayer(c, name);
    if (f) return f;
  }
  return undefined;
}

export function resetHead<P extends Tree>(model: Layer<P>, params: P, sites: readonly WeightSite[], key: Key): P {
  const head = sites[sites.length - 1]!;
  const layer = findLayer(model, head.name);
  if (!layer) throw new Error(`reset-head: layer '${head.name}' not found in model '${model.name}'`);
  const fresh = layer.init(key) as { w: Tree; b?: Tree };
  const { leaves, unflatten } = treeFlatten(params);
  const out = [...leaves];
  out[head.weightLeaf] = fresh.w as (typeof leaves)[number];
  if (head.biasLeaf !== undefined) out[head.biasLeaf] = fresh.b as (typeof leaves)[number];
  return unflatten(out);
}
