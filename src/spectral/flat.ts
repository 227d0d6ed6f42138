/**
 * Parameter trees as flat float64 vectors. The order is treeFlatten's (object keys sorted,
 * arrays by index, depth first) — the order in which `grad` returns leaves — and within a leaf
 * its row-major data. `layout.paths[i]` names leaf i; `layout.offsets[i]` is where it starts.
 */
import { Tensor } from '../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import type { FloatDType } from '../tensor/dtype.ts';

export interface TreeLayout<P extends Tree> {
  /** Total number of scalars (the vector length). */
  readonly size: number;
  readonly paths: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  readonly offsets: readonly number[];
  /** The tree's values as one float64 vector (a copy). Refuses a tree of another structure. */
  flatten(tree: P): Float64Array;
  /** A tree shaped like the template, each leaf in the template leaf's dtype, read from `vec`. */
  unflatten(vec: Float64Array): P;
}

export function treeLayout<P extends Tree>(template: P): TreeLayout<P> {
  const { leaves, paths, unflatten } = treeFlatten(template);
  const shapes = leaves.map((x) => [...x.shape]);
  const dtypes = leaves.map((x) => {
    if (x.dtype !== 'float64' && x.dtype !== 'float32')
      throw new Error(`treeLayout: leaf ${paths[leaves.indexOf(x)]} has dtype ${x.dtype}; only float leaves have a Hessian`);
    return x.dtype as FloatDType;
  });
  const offsets: number[] = [];
  let size = 0;
  for (const x of leaves) {
    offsets.push(size);
    size += x.size;
  }
  const sig = paths.map((p, i) => `${p}:${shapes[i]!.join('x')}`).join('|');
  return {
    size,
    paths,
    shapes,
    offsets,
    flatten(tree: P): Float64Array {
      const flat = treeFlatten(tree);
      // Same leaf count and shapes at the same paths (cheap: this runs once per HVP).
      const same =
        flat.leaves.length === leaves.length &&
        flat.leaves.every((x, i) => flat.paths[i] === paths[i] && x.shape.length === shapes[i]!.length && x.shape.every((d, j) => d === shapes[i]![j]));
      if (!same) {
        const got = flat.paths.map((p, i) => `${p}:${flat.leaves[i]!.shape.join('x')}`).join('|');
        if (got !== sig)
          throw new Error(`treeLayout.flatten: the tree does not match the layout (${flat.leaves.length} leaves vs ${leaves.length}, or different shapes)`);
      }
      const out = new Float64Array(size);
      flat.leaves.forEach((x, i) => {
        const d = x.data;
        const o = offsets[i]!;
        if (d instanceof Float64Array || d instanceof Float32Array)
          out.set(d, o); // memcpy / exact widening
        else for (let j = 0; j < d.length; j++) out[o + j] = Number(d[j]);
      });
      return out;
    },
    unflatten(vec: Float64Array): P {
      if (vec.length !== size) throw new Error(`treeLayout.unflatten: expected a vector of length ${size}, got ${vec.length}`);
      return unflatten(
        leaves.map((x, i) => {
          const o = offsets[i]!;
          const part = vec.subarray(o, o + x.size);
          const data = dtypes[i] === 'float64' ? part.slice() : Float32Array.from(part);
          return new Tensor(data, shapes[i]!, dtypes[i]!);
        }),
      );
    },
  };
}
