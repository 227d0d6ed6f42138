/**
 * Composition. `chain(a, b, c)` feeds a's updates to b, b's to c; its state is the array of the
 * children's states (plain data, so it checkpoints) and it needs the union of their oracles.
 */
import { add } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { GradientTransformation, Need, UpdateCtx } from './transform.ts';
import { fusedAdd } from './fused.ts';

export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  transforms.forEach((t, i) => {
    if (!t || typeof t.init !== 'function' || typeof t.update !== 'function') {
      throw new Error(`chain: argument ${i} is not a GradientTransformation (got ${t === null ? 'null' : typeof t})`);
    }
  });
  const needs = [...new Set(transforms.flatMap((t) => t.needs ?? []))] as Need[];
  return {
    name: `chain(${transforms.map((t) => t.name).join(', ')})`,
    ...(needs.length > 0 ? { needs } : {}),
    init: (params) => transforms.map((t) => t.init(params)),
    update(grads, state, ctx) {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new Error(`chain: state must be an array of ${transforms.length} child states, got ${Array.isArray(state) ? `${state.length}` : typeof state}`);
      }
      let updates: Tree = grads;
      const next: unknown[] = [];
      transforms.forEach((t, i) => {
        // Each child sees its own key, so two noise sources in one chain are independent.
        const childCtx: UpdateCtx = ctx.key === undefined ? ctx : { ...ctx, key: random.foldIn(ctx.key, i) };
        const [u, s] = t.update(updates, state[i], childCtx);
        updates = u;
        next.push(s);
      });
      return [updates, next];
    },
  };
}

/** params + updates, leafwise (updates are added, as in optax); one fused loop per leaf when untraced (fused.ts). */
export function applyUpdates<P extends Tree>(params: P, updates: Tree): P {
  return (fusedAdd(params, updates) as P | undefined) ?? treeMap((p, u) => add(p, u), params, updates);
}
