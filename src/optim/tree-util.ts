/** Small tree helpers used by several transformations (internal). */
import { zerosLike, type Tensor } from '../tensor/tensor.ts';
import { treeFlatten, treeMap, type Tree } from '../tensor/tree.ts';

/** A tree of zeros shaped like `tree` (fresh moment buffers). */
export const treeZerosLike = <T extends Tree>(tree: T): T => treeMap((x: Tensor) => zerosLike(x), tree);

/** √(Σ leaves Σ x²), accumulated in float64 whatever the dtype. */
export function globalNorm(tree: Tree): number {
  let s = 0;
  for (const x of treeFlatten(tree).leaves) {
    const d = x.data;
    for (let i = 0; i < d.length; i++) s += Number(d[i]) * Number(d[i]);
  }
  return Math.sqrt(s);
}

/** An empty state for stateless transformations (plain data: encodes as `{}`). */
export type EmptyState = Record<string, never>;
export const EMPTY: EmptyState = Object.freeze({}) as EmptyState;
