/**
 * Function transforms over parameter trees: grad, valueAndGrad, vjp, jvp, hvp, jacobian,
 * hessian, vmap.
 * They nest freely (grad of grad, jvp of grad, …) because every derivative rule is itself
 * written in traced primitives (see trace.ts).
 */
import { isFloat } from './dtype.ts';
import { fmt, shapesEqual } from './shape.ts';
import { Tensor, full, zerosLike } from './tensor.ts';
import { backward, forwardInput, popLevel, pushLevel, registerRules, release, reverseInput, tangentAt } from './trace.ts';
import { treeFlatten, type Tree } from './tree.ts';
import { jvpRules, vjpRules } from './rules.ts';
import { reshape, slice, stack } from './ops.ts';

// The tracer gets its rule tables here, where differentiation starts, rather than importing them.
registerRules(vjpRules, jvpRules);
export { stopGradient } from './tree.ts';

function differentiableLeaves(op: string, tree: Tree): ReturnType<typeof treeFlatten> {
  const flat = treeFlatten(tree);
  flat.leaves.forEach((x, i) => {
    if (!isFloat(x.dtype)) throw new Error(`${op}: leaf ${flat.paths[i]} has dtype ${x.dtype}; only float tensors can be differentiated`);
  });
  return flat;
}

function checkScalarOutput(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new Error(`${op}: the function must return a Tensor, got ${typeof y}`);
  if (y.size !== 1 || !isFloat(y.dtype)) throw new Error(`${op}: the function must return a float scalar, got ${y.dtype} ${fmt(y.shape)}`);
  return y;
}

/** Pull-back: the value of f at `primals`, and a function mapping an output cotangent to input cotangents. */
export function vjp<P extends Tree>(f: (p: P) => Tensor, primals: P): { value: Tensor; pullback: (ct: Tensor) => P } {
  const { leaves, unflatten } = differentiableLeaves('vjp', primals);
  const level = pushLevel('reverse');
  let y: Tensor;
  let inputs: Tensor[];
  try {
    inputs = leaves.map((x) => reverseInput(x, level));
    y = f(unflatten(inputs) as P);
    if (!(y instanceof Tensor)) throw new Error(`vjp: the function must return a Tensor, got ${typeof y}`);
  } finally {
    popLevel(level);
  }
  const pullback = (ct: Tensor): P => {
    if (!shapesEqual(ct.shape, y.shape) || ct.dtype !== y.dtype) {
      throw new Error(`vjp: cotangent ${ct.dtype} ${fmt(ct.shape)} does not match the output ${y.dtype} ${fmt(y.shape)}`);
    }
    const cts = backward(level, y, ct, inputs);
    return unflatten(cts.map((g, i) => g ?? zerosLike(leaves[i]!))) as P;
  };
  return { value: release(y), pullback };
}

/** f's value and its gradient with respect to every leaf of `params` (f must return a scalar). */
export function valueAndGrad<P extends Tree, A extends unknown[] = []>(
  f: (params: P, ...args: A) => Tensor,
): (params: P, ...args: A) => { value: Tensor; grads: P } {
  return (params, ...args) => {
    const { value, pullback } = vjp((p: P) => checkScalarOutput('grad', f(p, ...args)), params);
    return { value, grads: pullback(full(value.shape, 1, value.dtype)) };
  };
}

/** The gradient of a scalar function with respect to every leaf of its first argument. */
export function grad<P extends Tree, A extends unknown[] = []>(f: (params: P, ...args: A) => Tensor): (params: P, ...args: A) => P {
  const vg = valueAndGrad(f);
  return (params, ...args) => vg(params, ...args).grads;
}

function checkMatching(op: string, what: string, tree: Tree, leaves: readonly Tensor[], paths: readonly string[]): Tensor[] {
  const flat = treeFlatten(tree);
  if (flat.paths.join('|') !== paths.join('|'))
    throw new Error(`${op}: ${what} tree does not match the parameters (${flat.paths.length} vs ${paths.length} leaves)`);
  flat.leaves.forEach((t, i) => {
    const x = leaves[i]!;
    if (!shapesEqual(t.shape, x.shape) || t.dtype !== x.dtype) {
      throw new Error(`${op}: ${what} for ${paths[i]} is ${t.dtype} ${fmt(t.shape)}, the parameter is ${x.dtype} ${fmt(x.shape)}`);
    }
  });
  return flat.leaves;
}

/**
 * Push-forward: f(primals) and its directional derivative along `tangents` (a tree shaped like
 * `primals`). f may return a Tensor or a tree; the tangent has the same structure.
 */
export function jvp<P extends Tree, R extends Tree>(f: (p: P) => R, primals: P, tangents: P): { value: R; tangent: R } {
  const { leaves, paths, unflatten } = differentiableLeaves('jvp', primals);
  const tLeaves = checkMatching('jvp', 'tangent', tangents, leaves, paths);
  const level = pushLevel('forward');
  let outLeaves: Tensor[];
  let outTangents: Tensor[];
  let rebuild: (xs: readonly Tensor[]) => R;
  try {
    const y = f(unflatten(leaves.map((x, i) => forwardInput(x, tLeaves[i]!, level))) as P);
    const flat = treeFlatten(y);
    outLeaves = flat.leaves;
    rebuild = flat.unflatten;
    outTangents = outLeaves.map((o) => tangentAt(o, level) ?? zerosLike(o));
  } finally {
    popLevel(level);
  }
  return { value: rebuild(outLeaves.map(release)), tangent: rebuild(outTangents.map(release)) };
}

/**
 * Hessian-vector product H(params)·v of a scalar function, by forward-over-reverse (a jvp
 * of the gradient): about the cost of two gradients, exact to rounding.
 */
export function hvp<P extends Tree>(f: (p: P) => Tensor, params: P, v: P): P {
  return jvp(grad(f), params, v).tangent;
}

/**
 * Full Jacobian of f: R^{shape(x)} → R^{shape(y)}, shape [...y.shape, ...x.shape], built row by
 * row with reverse mode (for small problems: tests, checks, explicit Hessians).
 */
export function jacobian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const { value, pullback } = vjp(f, x);
  const rows: Tensor[] = [];
  for (let i = 0; i < value.size; i++) {
    const e = zerosLike(value);
    e.data[i] = 1;
    rows.push(pullback(e));
  }
  if (rows.length === 0) return new Tensor(new Float64Array(0), [...value.shape, ...x.shape], x.dtype);
  return reshape(stack(rows), [...value.shape, ...x.shape]);
}

/**
 * Dense Hessian of a scalar function of one tensor: hessian(f)(x) has shape [...x.shape,
 * ...x.shape] (jacobian of grad, reverse over reverse: x.size gradient-sized sweeps, for small
 * problems). Trees are refused: flatten the parameters into one tensor first (the cross-leaf
 * blocks would otherwise need a tree of trees).
 */
export function hessian<A extends unknown[] = []>(f: (x: Tensor, ...args: A) => Tensor): (x: Tensor, ...args: A) => Tensor {
  return (x, ...args) => {
    if (!(x instanceof Tensor)) {
      throw new Error(
        `hessian: expects a single Tensor as the first argument, got ${Array.isArray(x) ? 'an array' : typeof x} (flatten a tree into one tensor first)`,
      );
    }
    const g = grad((y: Tensor) => f(y, ...args));
    return jacobian(g, x);
  };
}

/** Per-argument mapped axis: a number (negative counts from the end), or null for "not mapped". */
export type InAxes = number | null | readonly (number | null)[];

/** x with index i taken along axis (the axis removed). */
function take(x: Tensor, axis: number, i: number): Tensor {
  const starts = x.shape.map((_, d) => (d === axis ? i : 0));
  const ends = x.shape.map((n, d) => (d === axis ? i + 1 : n));
  return reshape(
    slice(x, starts, ends),
    x.shape.filter((_, d) => d !== axis),
  );
}

/**
 * Vectorizing map, with JAX's semantics: vmap(f, inAxes)(...args) calls f once per index along
 * each mapped argument's axis (every Tensor leaf of a mapped argument is mapped along the same
 * axis; null passes an argument through whole, so it need not be a tensor) and stacks every
 * output leaf along a new axis 0. Default inAxes 0: every argument mapped along its first axis.
 * A reference implementation (a loop of slices and a stack): differentiable and exact, no faster
 * than the loop. Per-example gradients are vmap(grad(loss), [null, 0, 0])(params, x, y).
 */
export function vmap<A extends unknown[], R extends Tree>(f: (...args: A) => R, inAxes: InAxes = 0): (...args: A) => R {
  return (...args: A) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new Error(`vmap: inAxes has ${inAxes.length} entries for ${args.length} argument(s)`);
    }
    const axes = args.map((_, i) => (Array.isArray(inAxes) ? (inAxes as readonly (number | null)[])[i]! : (inAxes as number | null)));
    let size: number | undefined;
    let sizeFrom = '';
    const mapped = args.map((arg, i) => {
      const axis = axes[i];
      if (axis === null || axis === undefined) return null;
      if (!Number.isInteger(axis)) throw new Error(`vmap: inAxes for argument ${i} must be an integer or null, got ${axis}`);
      const flat = treeFlatten(arg as Tree);
      if (flat.leaves.length === 0) throw new Error(`vmap: argument ${i} is mapped but holds no tensors`);
      const leafAxes = flat.leaves.map((x, j) => {
        const ax = axis < 0 ? axis + x.rank : axis;
        if (ax < 0 || ax >= x.rank) {
          throw new Error(`vmap: axis ${axis} is out of range for argument ${i} leaf ${flat.paths[j]} of shape ${fmt(x.shape)}`);
        }
        const where = `argument ${i} leaf ${flat.paths[j]} has size ${x.shape[ax]} along axis ${ax}`;
        if (size === undefined) [size, sizeFrom] = [x.shape[ax]!, where];
        else if (x.shape[ax] !== size) throw new Error(`vmap: mapped axis sizes differ: ${sizeFrom}, ${where}`);
        return ax;
      });
      return { flat, leafAxes };
    });
    if (size === undefined) throw new Error('vmap: no argument is mapped (every inAxes entry is null)');
    if (size === 0) throw new Error(`vmap: the mapped axis has size 0 (${sizeFrom}); the output shape is unknown`);
    let outPaths: string[] | undefined;
    let rebuild: ((xs: readonly Tensor[]) => R) | undefined;
    const columns: Tensor[][] = [];
    for (let b = 0; b < size; b++) {
      const sliced = args.map((arg, i) => {
        const m = mapped[i];
        return m ? m.flat.unflatten(m.flat.leaves.map((x, j) => take(x, m.leafAxes[j]!, b))) : arg;
      }) as A;
      const out = treeFlatten(f(...sliced));
      if (!outPaths) {
        outPaths = out.paths;
        rebuild = out.unflatten;
        out.leaves.forEach(() => columns.push([]));
      } else if (out.paths.join('|') !== outPaths.join('|')) {
        throw new Error(`vmap: the function returned a different tree structure at index ${b} (${out.paths.length} vs ${outPaths.length} leaves)`);
      }
      out.leaves.forEach((y, j) => columns[j]!.push(y));
    }
    return rebuild!(columns.map((ys) => stack(ys, 0)));
  };
}
