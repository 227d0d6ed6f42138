/** Parameter trees: nested plain objects and arrays whose leaves are Tensors. */
import { Tensor } from './tensor.ts';

export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/** Leaves in a fixed order (object keys sorted), plus a function that rebuilds the structure. */
export function treeFlatten<T extends Tree>(tree: T): { leaves: Tensor[]; paths: string[]; unflatten: (leaves: readonly Tensor[]) => T } {
  const leaves: Tensor[] = [];
  const paths: string[] = [];
  const walk = (t: unknown, path: string): void => {
    if (t instanceof Tensor) {
      leaves.push(t);
      paths.push(path || '(root)');
    } else if (Array.isArray(t)) {
      t.forEach((c, i) => walk(c, `${path}[${i}]`));
    } else if (t !== null && typeof t === 'object') {
      for (const k of Object.keys(t).sort()) walk((t as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    } else {
      throw new Error(`tree: leaf at ${path || '(root)'} is ${t === null ? 'null' : typeof t}, expected a Tensor`);
    }
  };
  walk(tree, '');
  const unflatten = (values: readonly Tensor[]): T => {
    if (values.length !== leaves.length) throw new Error(`tree: expected ${leaves.length} leaves, got ${values.length}`);
    let i = 0;
    const build = (t: unknown): unknown => {
      if (t instanceof Tensor) return values[i++];
      if (Array.isArray(t)) return t.map(build);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(t as object).sort()) out[k] = build((t as Record<string, unknown>)[k]);
      return out;
    };
    return build(tree) as T;
  };
  return { leaves, paths, unflatten };
}

export function treeLeaves(tree: Tree): Tensor[] {
  return treeFlatten(tree).leaves;
}

/** Apply `f` leafwise to one or more trees of the same structure. */
export function treeMap<T extends Tree>(f: (...xs: Tensor[]) => Tensor, tree: T, ...rest: Tree[]): T {
  const { leaves, paths, unflatten } = treeFlatten(tree);
  const others = rest.map((r) => {
    const flat = treeFlatten(r);
    if (flat.paths.join('|') !== paths.join('|')) throw new Error(`treeMap: tree structures differ (${paths.length} vs ${flat.paths.length} leaves)`);
    return flat.leaves;
  });
  return unflatten(leaves.map((x, i) => f(x, ...others.map((o) => o[i]!))));
}

/** The same values with every trace removed: a constant for all enclosing transforms. */
export function stopGradient<T extends Tree>(tree: T): T {
  const { leaves, unflatten } = treeFlatten(tree);
  return unflatten(leaves.map((x) => new Tensor(x.data, x.shape, x.dtype)));
}
