/**
 * Composition: sequential(name, layers) applies the layers in order.
 *
 * Params layout: an ARRAY with one entry per child, in order — params[i] belongs to layers[i]
 * (parameter-free layers hold {}), so paths read '[0].w', '[2].b', … An array (rather than an
 * object keyed by name) keeps params independent of naming and in layer order.
 *
 * Names: every layer name in the tree (children, and nested containers' children) must be
 * unique, because state (BatchNorm), taps (K-FAC) and dropout keys are keyed by name in flat
 * records. Child i is initialized from foldIn(key, name_i), so inserting or removing a
 * layer (say a dropout) leaves the other layers' initial weights unchanged.
 * State: initState() merges the children's initState() (flat, keyed by layer name).
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx, type Layer, type ModelState } from './layer.ts';
import { checkName, foldName, layerError, type MaybeStateful } from './util.ts';

export type SequentialParams = readonly Tree[];

export type SequentialLayer = Layer<SequentialParams> & {
  readonly layers: readonly MaybeStateful<any>[];
  initState(): ModelState;
};

/** Every name in a layer tree (the layer itself, and recursively the children of containers). */
export function layerNames(layer: Layer<any>): string[] {
  const children = (layer as { layers?: unknown }).layers;
  const below = Array.isArray(children) ? children.flatMap((c: Layer<any>) => layerNames(c)) : [];
  return [layer.name, ...below];
}

export function sequential(name: string, layers: readonly MaybeStateful<any>[]): SequentialLayer {
  checkName('sequential', name);
  if (!Array.isArray(layers) || layers.length === 0) throw layerError('sequential', name, 'needs a non-empty array of layers');
  layers.forEach((l, i) => {
    if (!l || typeof l.init !== 'function' || typeof l.apply !== 'function' || typeof l.name !== 'string') {
      throw layerError('sequential', name, `child ${i} is not a layer (needs name, init, apply)`);
    }
  });
  const seen = new Set<string>([name]);
  for (const n of layers.flatMap(layerNames)) {
    if (seen.has(n))
      throw layerError('sequential', name, `duplicate layer name '${n}' (names key state, taps and dropout masks; give each layer a unique name)`);
    seen.add(n);
  }
  const children = [...layers];

  return {
    name,
    layers: children,
    init(key: Key): SequentialParams {
      return children.map((l) => l.init(foldName(key, l.name)) as Tree);
    },
    initState(): ModelState {
      const state: ModelState = {};
      for (const l of children) Object.assign(state, l.initState?.() ?? {});
      return state;
    },
    apply(params: SequentialParams, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
      if (!Array.isArray(params) || params.length !== children.length) {
        const got = Array.isArray(params) ? `an array of ${params.length}` : params === null ? 'null' : typeof params;
        throw layerError(
          'sequential',
          name,
          `params must be an array of ${children.length} entries (one per layer: ${children.map((l) => l.name).join(', ')}), got ${got}`,
        );
      }
      let y = x;
      for (let i = 0; i < children.length; i++) y = children[i]!.apply(params[i]!, y, ctx);
      return y;
    },
  };
}
