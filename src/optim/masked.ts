/**
 * optax's `masked`: apply a transformation to some leaves only; the others pass their incoming
 * updates through unchanged. The usual use is weight decay on weights but not on biases or
 * normalization scales:
 *
 *   chain(scaleByAdam(), masked(addDecayedWeights(1e-2), nonBiasMask), scaleByLearningRate(1e-3))
 *
 * The inner transformation sees a flat record `{ 'layers[0].w': grad, … }` of the selected
 * leaves (and the matching params in ctx), and its state is built over that record.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';

/** A tree of booleans shaped like the params (true: the inner transformation applies). */
export type MaskTree = boolean | readonly MaskTree[] | { readonly [key: string]: MaskTree };

/** True for leaves of rank ≥ 2 (weight matrices, conv kernels); false for biases and norm scales. */
export function nonBiasMask(params: Tree): MaskTree {
  const walk = (t: unknown): MaskTree => {
    if (Array.isArray(t)) return t.map(walk);
    if (t !== null && typeof t === 'object' && !('shape' in (t as object))) {
      return Object.fromEntries(Object.entries(t as Record<string, unknown>).map(([k, v]) => [k, walk(v)]));
    }
    return (t as Tensor).rank >= 2;
  };
  return walk(params);
}

function maskPaths(mask: MaskTree, params: Tree): Set<string> {
  const { paths } = treeFlatten(params);
  const entries = new Map<string, boolean>();
  const walk = (m: unknown, path: string): void => {
    if (typeof m === 'boolean') entries.set(path || '(root)', m);
    else if (Array.isArray(m)) m.forEach((c, i) => walk(c, `${path}[${i}]`));
    else if (m !== null && typeof m === 'object') for (const k of Object.keys(m).sort()) walk((m as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    else throw new Error(`masked: mask leaf at ${path || '(root)'} is ${m === null ? 'null' : typeof m}, expected a boolean`);
  };
  walk(mask, '');
  const known = new Set(paths);
  for (const p of entries.keys()) if (!known.has(p)) throw new Error(`masked: the mask has a leaf at ${p} where the params have none`);
  for (const p of paths) if (!entries.has(p)) throw new Error(`masked: the mask has no entry for parameter ${p}`);
  return new Set(paths.filter((p) => entries.get(p)));
}

export function masked<S>(inner: GradientTransformation<S>, mask: MaskTree | ((params: Tree) => MaskTree)): GradientTransformation<S> {
  if (!inner || typeof inner.update !== 'function') throw new Error('masked: inner must be a GradientTransformation');
  const needs = inner.needs ?? [];
  if (needs.some((n) => n !== 'loss'))
    throw new Error(`masked: inner '${inner.name}' needs ${needs.join(', ')}, which a masked subset of the parameters cannot provide`);
  // The selection depends on the tree's structure (paths and shapes), which a run keeps: resolve it once per structure.
  let cached: { key: string; keep: string[] } | undefined;
  const select = (params: Tree): string[] => {
    const { paths, leaves } = treeFlatten(params);
    const key = paths.map((p, i) => `${p}:${leaves[i]!.shape.join('x')}`).join('|');
    if (cached?.key !== key) cached = { key, keep: [...maskPaths(typeof mask === 'function' ? mask(params) : mask, params)].sort() };
    return cached.keep;
  };
  const sub = (tree: Tree, keep: readonly string[]): Record<string, Tensor> => {
    const { paths, leaves } = treeFlatten(tree);
    const out: Record<string, Tensor> = {};
    for (const p of keep) out[p] = leaves[paths.indexOf(p)]!;
    return out;
  };
  return {
    name: `masked(${inner.name})`,
    ...(needs.length > 0 ? { needs } : {}),
    init: (params) => inner.init(sub(params, select(params))),
    update(grads, state, ctx) {
      if (!ctx?.params) throw new Error('masked: ctx.params is missing (the mask is resolved against the parameters)');
      const keep = select(ctx.params);
      const [u, s] = inner.update(sub(grads, keep), state, { ...ctx, params: sub(ctx.params, keep) });
      const { paths, leaves, unflatten } = treeFlatten(grads);
      const inner_ = u as Record<string, Tensor>;
      return [unflatten(leaves.map((g, i) => inner_[paths[i]!] ?? g)), s];
    },
  };
}
