/**
 * Fused optimizer updates (internal; not exported from the package): the orchestration —
 * whether a tree update may take the fused path, and rebuilding the trees. The per-leaf loops
 * are the kernel backend's (Kernels.adam/momentum/scale/axpy/add; the js ones in src/kernels/fused.ts).
 *
 * The transformations in adam.ts, momentum.ts, scale.ts, weight-decay.ts and `applyUpdates` are
 * written with tensor ops: Adam alone is ~10 elementwise ops per leaf, each allocating an array,
 * and each scalar operand (`mul(m, b1)`) is first broadcast to a full-size array. Here the same
 * arithmetic runs as ONE plain loop per leaf that writes every output of the step (Adam: the new
 * m, v and the update) into fresh arrays; inputs are never mutated.
 *
 * Bit-identical to the op path, for float64 and float32. An op reads its operands, computes in
 * double precision and stores into an array of the tensor's dtype, so for float32 every single
 * op rounds to float32. The loops replicate that: the same operations in the same order, with
 * `Math.fround` after every step in the float32 loops (a store into a Float32Array rounds the
 * same way), and scalar operands converted to the tensor's dtype exactly as ops.ts's coercePair
 * does (`full([], s, dtype)`: fround(s) for float32, and −0 becomes +0). fused.test.ts
 * checks bit equality against the op path.
 *
 * The fast path is taken only when it cannot differ from the op path in anything observable:
 * every leaf involved is a Float64Array/Float32Array tensor with no autodiff trace (`_rev` and
 * `_tan` undefined — optimizer math may be differentiated through, e.g. in meta-learning), all
 * trees have the same structure, and leaf i has the same dtype and shape in every tree; and
 * `setCheckFinite` is off (its per-op errors name the primitive). Otherwise the tree-level
 * functions return undefined and the caller runs its original op code unchanged (which also
 * raises the original errors for mismatched trees or dtypes).
 */
import { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import { getCheckFinite } from '../tensor/trace.ts';
import { allocateUninitialized } from '../tensor/arena.ts';
import { kernels } from '../kernels/backend.ts';
import { adamScalars, scalarIn, type FloatArray } from '../kernels/kernels.ts';

let enabled = true;

/**
 * @internal Turn the fused fast path on or off (it is on by default); returns the previous
 * setting. For tests and benchmarks that need the reference op path: results are bit-identical
 * either way, only speed changes. Not exported from the package index.
 */
export function setFusedUpdates(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** @internal How many tree-level updates took the fused path, by kind (tests read these). */
export const fusedCounts = { adam: 0, trace: 0, scale: 0, axpy: 0, add: 0 };

// Every fused loop writes each element of each output, so large outputs skip the zero fill.
function alloc(like: FloatArray): FloatArray {
  return allocateUninitialized(like instanceof Float32Array ? 'float32' : 'float64', like.length);
}

// ---------------------------------------------------------------------------------------------
// Leaf level: fresh outputs from the arena, the loop from the kernel backend (the js loops in
// src/kernels/fused.ts, or wasm/native's bit-identical ports for long leaves: the kernels.ts
// contract), scalars rounded to the leaf's precision exactly as ops.ts does (`scalarIn`).

const isF32 = (x: FloatArray): boolean => x instanceof Float32Array;

/** Adam's moments and update for one leaf (scaleByAdam's ops). */
export function adamLeaf(
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
): { u: FloatArray; m: FloatArray; v: FloatArray } {
  const u = alloc(g),
    mo = alloc(g),
    vo = alloc(g);
  kernels().adam(g, m, v, mo, vo, u, adamScalars(b1, b2, c1, c2, eps, isF32(g)));
  return { u, m: mo, v: vo };
}

/** Heavy-ball trace b' = b·μ + g for one leaf; with `nesterov` also u = g + b'·μ (else undefined). */
export function traceLeaf(g: FloatArray, b: FloatArray, mu: number, nesterov: boolean): { trace: FloatArray; u: FloatArray | undefined } {
  const to = alloc(g);
  const u = nesterov ? alloc(g) : undefined;
  kernels().momentum(g, b, to, u ?? null, scalarIn(mu, isF32(g)));
  return { trace: to, u };
}

/** x·s for one leaf (`mul(x, s)`). */
export function scaleLeaf(x: FloatArray, s: number): FloatArray {
  const out = alloc(x);
  kernels().scale(x, out, scalarIn(s, isF32(x)));
  return out;
}

/** y + x·a for one leaf (`add(y, mul(x, a))`: weight decay). */
export function axpyLeaf(y: FloatArray, x: FloatArray, a: number): FloatArray {
  const out = alloc(y);
  kernels().axpy(y, x, out, scalarIn(a, isF32(y)));
  return out;
}

/** p + u for one leaf (`add(p, u)`: applyUpdates). */
export function addLeaf(p: FloatArray, u: FloatArray): FloatArray {
  const out = alloc(p);
  kernels().add(p, u, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tree level: decide whether the fast path is valid, run the leaf kernels, rebuild the trees.

function plainFloat(x: Tensor): boolean {
  return (
    x._rev === undefined &&
    x._tan === undefined &&
    ((x.dtype === 'float64' && x.data instanceof Float64Array) || (x.dtype === 'float32' && x.data instanceof Float32Array))
  );
}

function sameLayout(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (a.shape[i] !== b.shape[i]) return false;
  return true;
}

/**
 * The shape of a tree without its leaves (null = a leaf), to rebuild outputs the way treeMap's
 * unflatten does: arrays as arrays, objects with their keys in sorted order.
 */
type Skeleton = null | Skeleton[] | { keys: string[]; kids: Skeleton[] };

interface Zipped {
  /** leaves[t][i]: leaf i of tree t, in treeFlatten's order. */
  readonly leaves: readonly Tensor[][];
  readonly rebuild: (leaves: readonly Tensor[]) => Tree;
}

/**
 * The trees' leaves side by side when the fused path is valid for all of them, else undefined.
 * One walk over all the trees at once (cheaper than treeFlatten's path strings, which dominate
 * the cost of a step on tiny trees). Anything unusual (structures that differ, non-tensor leaves
 * or holes in arrays) also returns undefined, so the op path handles it as before, errors included.
 */
function zipPlain(trees: readonly Tree[]): Zipped | undefined {
  if (!enabled || getCheckFinite()) return undefined;
  const leaves: Tensor[][] = trees.map(() => []);
  const walk = (nodes: readonly unknown[]): Skeleton | undefined => {
    const x = nodes[0];
    if (x instanceof Tensor) {
      if (!plainFloat(x)) return undefined;
      for (let t = 1; t < nodes.length; t++) {
        const y = nodes[t];
        if (!(y instanceof Tensor) || !plainFloat(y) || !sameLayout(x, y)) return undefined;
      }
      for (let t = 0; t < nodes.length; t++) leaves[t]!.push(nodes[t] as Tensor);
      return null;
    }
    if (Array.isArray(x)) {
      const n = x.length;
      for (let t = 1; t < nodes.length; t++) {
        const y = nodes[t];
        if (!Array.isArray(y) || y.length !== n) return undefined;
      }
      const kids: Skeleton[] = [];
      for (let i = 0; i < n; i++) {
        const k = walk(nodes.map((a) => (a as unknown[])[i]));
        if (k === undefined) return undefined;
        kids.push(k);
      }
      return kids;
    }
    if (x === null || typeof x !== 'object') return undefined;
    const keys = Object.keys(x).sort();
    for (let t = 1; t < nodes.length; t++) {
      const y = nodes[t];
      if (y === null || typeof y !== 'object' || y instanceof Tensor || Array.isArray(y)) return undefined;
      const ky = Object.keys(y).sort();
      if (ky.length !== keys.length || !keys.every((k, j) => k === ky[j])) return undefined;
    }
    const kids: Skeleton[] = [];
    for (const key of keys) {
      const k = walk(nodes.map((a) => (a as Record<string, unknown>)[key]));
      if (k === undefined) return undefined;
      kids.push(k);
    }
    return { keys, kids };
  };
  const skeleton = walk(trees);
  if (skeleton === undefined) return undefined;
  const rebuild = (values: readonly Tensor[]): Tree => {
    let i = 0;
    const build = (s: Skeleton): Tree => {
      if (s === null) return values[i++]!;
      if (Array.isArray(s)) return s.map(build);
      const out: Record<string, Tree> = {};
      s.kids.forEach((k, j) => (out[s.keys[j]!] = build(k)));
      return out;
    };
    return build(skeleton);
  };
  return { leaves, rebuild };
}

const tensorLike = (data: FloatArray, like: Tensor): Tensor => new Tensor(data, like.shape, like.dtype);

/** scaleByAdam's step on whole trees; undefined when the op path must be used. */
export function fusedAdam(
  g: Tree,
  mu: Tree,
  nu: Tree,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
): { out: Tree; mu: Tree; nu: Tree } | undefined {
  const z = zipPlain([mu, nu, g]);
  if (!z) return undefined;
  const ms = z.leaves[0]!,
    vs = z.leaves[1]!,
    gs = z.leaves[2]!;
  const outs: Tensor[] = [];
  const newM: Tensor[] = [];
  const newV: Tensor[] = [];
  for (let i = 0; i < gs.length; i++) {
    const x = gs[i]!;
    const r = adamLeaf(x.data as FloatArray, ms[i]!.data as FloatArray, vs[i]!.data as FloatArray, b1, b2, c1, c2, eps);
    outs.push(tensorLike(r.u, x));
    newM.push(tensorLike(r.m, x));
    newV.push(tensorLike(r.v, x));
  }
  fusedCounts.adam++;
  return { out: z.rebuild(outs), mu: z.rebuild(newM), nu: z.rebuild(newV) };
}

/** traceMomentum's step on whole trees; `out` is `trace` itself unless nesterov. */
export function fusedTrace(g: Tree, trace: Tree, mu: number, nesterov: boolean): { out: Tree; trace: Tree } | undefined {
  const z = zipPlain([trace, g]);
  if (!z) return undefined;
  const bs = z.leaves[0]!,
    gs = z.leaves[1]!;
  const traces: Tensor[] = [];
  const outs: Tensor[] = [];
  for (let i = 0; i < gs.length; i++) {
    const x = gs[i]!;
    const r = traceLeaf(x.data as FloatArray, bs[i]!.data as FloatArray, mu, nesterov);
    traces.push(tensorLike(r.trace, x));
    if (r.u) outs.push(tensorLike(r.u, x));
  }
  fusedCounts.trace++;
  const newTrace = z.rebuild(traces);
  return { out: nesterov ? z.rebuild(outs) : newTrace, trace: newTrace };
}

/** treeMap(x ↦ x·s, g); undefined when the op path must be used. */
export function fusedScale(g: Tree, s: number): Tree | undefined {
  const z = zipPlain([g]);
  if (!z) return undefined;
  const gs = z.leaves[0]!;
  const outs = gs.map((x) => tensorLike(scaleLeaf(x.data as FloatArray, s), x));
  fusedCounts.scale++;
  return z.rebuild(outs);
}

/** treeMap((x, p) ↦ x + p·a, g, params) (weight decay); undefined when the op path must be used. */
export function fusedAxpy(g: Tree, params: Tree, a: number): Tree | undefined {
  const z = zipPlain([g, params]);
  if (!z) return undefined;
  const gs = z.leaves[0]!,
    ps = z.leaves[1]!;
  const outs = gs.map((x, i) => tensorLike(axpyLeaf(x.data as FloatArray, ps[i]!.data as FloatArray, a), x));
  fusedCounts.axpy++;
  return z.rebuild(outs);
}

/** treeMap((p, u) ↦ p + u, params, updates) (applyUpdates); undefined when the op path must be used. */
export function fusedAdd(params: Tree, updates: Tree): Tree | undefined {
  const z = zipPlain([params, updates]);
  if (!z) return undefined;
  const ps = z.leaves[0]!,
    us = z.leaves[1]!;
  const outs = ps.map((p, i) => tensorLike(addLeaf(p.data as FloatArray, us[i]!.data as FloatArray), p));
  fusedCounts.add++;
  return z.rebuild(outs);
}
