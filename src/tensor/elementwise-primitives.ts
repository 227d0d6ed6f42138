/**
 * Elementwise primitives: unary math, binary arithmetic (float ops with a kernel go to the
 * backend's `binary`), comparisons, select, casts. Rules: elementwise-rules.ts.
 */
import type { DType, TypedArray } from './dtype.ts';
import { allocateOutput as allocate } from './arena.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import { BINARY_EXPR, type BinaryOp, type FloatArray } from '../kernels/kernels.ts';
import type { CompareOp, ElementwiseParams, FamilyTable, Impl, Prim } from './primitives.ts';

/**
 * Elementwise loops are generated once per op from a JS expression, so each op gets its own
 * monomorphic loop that V8 can optimize (a shared loop calling `f(a[i])` goes megamorphic and
 * is several times slower on small tensors, where per-op overhead dominates).
 */
type Loop = (x: TypedArray, y: TypedArray, out: TypedArray, n: number) => void;
function loop(expr: string, form: 'same' | 'scalarLeft' | 'scalarRight' = 'same'): Loop {
  const a = form === 'scalarLeft' ? 'x[0]' : 'x[i]';
  const b = form === 'scalarRight' ? 'y[0]' : 'y === null ? 0 : y[i]';
  return new Function('x', 'y', 'out', 'n', `for (let i = 0; i < n; i++) { const a = ${a}, b = ${b}; out[i] = ${expr}; }`) as Loop;
}

/** A loop whose short operand (`y` for 'right', `x` for 'left') repeats every `block` elements. */
type BlockLoop = (x: TypedArray, y: TypedArray, out: TypedArray, n: number, block: number) => void;
function blockLoop(expr: string, side: 'left' | 'right'): BlockLoop {
  const a = side === 'left' ? 'x[j]' : 'x[o + j]';
  const b = side === 'right' ? 'y[j]' : 'y[o + j]';
  return new Function('x', 'y', 'out', 'n', 'block',
    `for (let o = 0; o < n; o += block) for (let j = 0; j < block; j++) { const a = ${a}, b = ${b}; out[o + j] = ${expr}; }`) as BlockLoop;
}

/**
 * One set of loops per input dtype: a loop that has seen Float64Array and Float32Array (and
 * Int32Array, Uint8Array) element loads goes polymorphic and runs several times slower.
 */
function perDType<L>(make: () => L): (d: DType) => L {
  const byDType = new Map<DType, L>();
  return (d) => {
    let l = byDType.get(d);
    if (!l) byDType.set(d, (l = make()));
    return l;
  };
}

function unary(expr: string): Impl<Prim> {
  const run = perDType(() => loop(expr));
  return ([x]) => {
    const out = allocate(x!.dtype, x!.size);
    run(x!.dtype)(x!.data, null as never, out, out.length);
    return new Tensor(out, x!.shape, x!.dtype);
  };
}

/**
 * Binary elementwise: equal shapes, or a short operand whose shape is the other's trailing
 * dimensions (a bias [n] against [batch, n]) or a single element (a scalar) — read in place,
 * rather than broadcast to a full array first: `x * 0.5` and `xW + b` are one pass, not two.
 * The output has the shape of the larger operand.
 */
function binary(expr: string, outDType?: DType, kernelOp?: BinaryOp): Impl<Prim> {
  const loops = perDType(() => ({
    same: loop(expr),
    scalarLeft: loop(expr, 'scalarLeft'),
    scalarRight: loop(expr, 'scalarRight'),
    blockLeft: blockLoop(expr, 'left'),
    blockRight: blockLoop(expr, 'right'),
  }));
  return ([x, y]) => {
    const dtype = outDType ?? x!.dtype;
    const { same, scalarLeft, scalarRight, blockLeft, blockRight } = loops(x!.dtype);
    const nx = x!.size, ny = y!.size;
    const big = nx >= ny ? x! : y!;
    const out = allocate(dtype, big.size);
    // Float ops with a kernel: the backend's loop (it hands small arrays to the js loops itself).
    if (kernelOp && (dtype === 'float32' || dtype === 'float64')) kernels().binary(kernelOp, x!.data as FloatArray, y!.data as FloatArray, out as FloatArray);
    else if (nx === ny) same(x!.data, y!.data, out, nx);
    else if (ny === 1) scalarRight(x!.data, y!.data, out, nx);
    else if (nx === 1) scalarLeft(x!.data, y!.data, out, ny);
    else if (ny < nx) blockRight(x!.data, y!.data, out, nx, ny);
    else blockLeft(x!.data, y!.data, out, ny, nx);
    return new Tensor(out, big.shape, dtype);
  };
}

const compareExprs: Record<CompareOp, string> = {
  eq: 'a === b ? 1 : 0', ne: 'a !== b ? 1 : 0', lt: 'a < b ? 1 : 0', le: 'a <= b ? 1 : 0', gt: 'a > b ? 1 : 0', ge: 'a >= b ? 1 : 0',
};
const compareImpls = Object.fromEntries(Object.entries(compareExprs).map(([op, e]) => [op, binary(e, 'bool')])) as Record<CompareOp, Impl<Prim>>;

export const elementwiseImpls: FamilyTable<ElementwiseParams, 'impl'> = {
  neg: unary('-a'),
  exp: unary('Math.exp(a)'),
  log: unary('Math.log(a)'),
  sin: unary('Math.sin(a)'),
  cos: unary('Math.cos(a)'),
  tanh: unary('Math.tanh(a)'),
  // Evaluated on the side of 0 where exp cannot overflow.
  sigmoid: unary('a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))'),
  sqrt: unary('Math.sqrt(a)'),
  abs: unary('Math.abs(a)'),
  sign: unary('a > 0 ? 1 : a < 0 ? -1 : a'), // sign(±0) = ±0, sign(NaN) = NaN
  add: binary(BINARY_EXPR.add, undefined, 'add'),
  sub: binary(BINARY_EXPR.sub, undefined, 'sub'),
  mul: binary(BINARY_EXPR.mul, undefined, 'mul'),
  div: binary(BINARY_EXPR.div, undefined, 'div'),
  pow: binary('Math.pow(a, b)'),
  maximum: binary(BINARY_EXPR.maximum, undefined, 'maximum'),
  minimum: binary(BINARY_EXPR.minimum, undefined, 'minimum'),
  compare: (inputs, { op }) => compareImpls[op](inputs, {} as never),
  select: ([c, x, y]) => {
    const cond = c!.data;
    const a = x!.data;
    const b = y!.data;
    const out = allocate(x!.dtype, a.length);
    for (let i = 0; i < a.length; i++) out[i] = cond[i] ? a[i]! : b[i]!;
    return new Tensor(out, x!.shape, x!.dtype);
  },
  maskPositive: binary(BINARY_EXPR.maskPositive, undefined, 'maskPositive'),
  cast: ([x], { dtype }) => {
    const out = allocate(dtype, x!.size);
    const a = x!.data;
    if (dtype === 'int32') for (let i = 0; i < a.length; i++) out[i] = Math.trunc(a[i]!);
    else if (dtype === 'bool') for (let i = 0; i < a.length; i++) out[i] = a[i] ? 1 : 0;
    else out.set(a);
    return new Tensor(out, x!.shape, dtype);
  },
};
