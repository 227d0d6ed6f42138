/**
 * User-facing tensor operations. Each validates its input (errors name the op and the
 * offending shapes/values), inserts explicit broadcasts, and binds primitives.
 */
import { checkDType, isFloat, type DType } from './dtype.ts';
import { broadcastShapes, fmt, normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from './shape.ts';
import { Tensor, full } from './tensor.ts';
import { bind } from './trace.ts';
import type { CompareOp } from './primitives.ts';
import { patchGeometry } from '../kernels/kernels.ts';

export type TensorLike = Tensor | number;

function checkTensor(op: string, x: unknown, name = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

function requireFloat(op: string, x: Tensor): Tensor {
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a float tensor, got ${x.dtype} ${fmt(x.shape)}`);
  return x;
}

/** Numbers become scalars of the other operand's dtype; dtypes must then agree exactly. */
function coercePair(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') return [full([], a), full([], b)];
  const ta = typeof a === 'number' ? full([], a, (b as Tensor).dtype) : checkTensor(op, a, 'first operand');
  const tb = typeof b === 'number' ? full([], b, ta.dtype) : checkTensor(op, b, 'second operand');
  if (ta.dtype !== tb.dtype) {
    throw new Error(`${op}: dtype mismatch ${ta.dtype} ${fmt(ta.shape)} vs ${tb.dtype} ${fmt(tb.shape)} (no implicit promotion; use cast)`);
  }
  return [ta, tb];
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  if (shapesEqual(x.shape, shape)) return x;
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(target, shape)) throw new Error(`broadcastTo: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  return bind('broadcastTo', [x], { shape: [...shape] });
}

function elementwise(op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum', a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coercePair(op, a, b);
  if (op !== 'add' && op !== 'sub' && op !== 'mul' && op !== 'maximum' && op !== 'minimum') requireFloat(op, x);
  const shape = broadcastShapes(op, x.shape, y.shape);
  if (isInPlaceOperand(x, y, shape) || isInPlaceOperand(y, x, shape)) return bind(op, [x, y], {});
  return bind(op, [broadcastTo(x, shape), broadcastTo(y, shape)], {});
}

/**
 * True when the binary primitives can read `s` in place against `other` (see primitives.ts):
 * `other` already has the broadcast shape and `s` is a single element, or exactly `other`'s
 * trailing dimensions (a bias), possibly after size-1 leading axes ([1, C] against [B, C]).
 * The VJP then sums its cotangent down to `s`'s shape.
 */
function isInPlaceOperand(s: Tensor, other: Tensor, shape: readonly number[]): boolean {
  if (s.size >= other.size || s.rank > other.rank || !shapesEqual(other.shape, shape)) return false;
  if (s.size === 1) return true;
  // Leading size-1 axes do not change the layout: a per-channel [1, C] reads like a bias [C].
  let first = 0;
  while (s.shape[first] === 1) first++;
  const lead = other.rank - (s.rank - first);
  for (let i = first; i < s.rank; i++) if (s.shape[i] !== other.shape[lead + i - first]) return false;
  return true;
}

export const add = (a: TensorLike, b: TensorLike): Tensor => elementwise('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => elementwise('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => elementwise('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => elementwise('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => elementwise('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => elementwise('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => elementwise('minimum', a, b);

function unaryOp(op: 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'sqrt' | 'abs' | 'sign'): (x: Tensor) => Tensor {
  return (x) => bind(op, [requireFloat(op, checkTensor(op, x))], {});
}
export const neg = unaryOp('neg');
export const exp = unaryOp('exp');
export const log = unaryOp('log');
export const sin = unaryOp('sin');
export const cos = unaryOp('cos');
export const tanh = unaryOp('tanh');
export const sigmoid = unaryOp('sigmoid');
export const sqrt = unaryOp('sqrt');
export const abs = unaryOp('abs');
export const sign = unaryOp('sign');
export const square = (x: Tensor): Tensor => mul(x, x);

function comparison(op: CompareOp): (a: TensorLike, b: TensorLike) => Tensor {
  return (a, b) => {
    const [x, y] = coercePair(op, a, b);
    const shape = broadcastShapes(op, x.shape, y.shape);
    if (isInPlaceOperand(x, y, shape) || isInPlaceOperand(y, x, shape)) return bind('compare', [x, y], { op });
    return bind('compare', [broadcastTo(x, shape), broadcastTo(y, shape)], { op });
  };
}
export const equal = comparison('eq');
export const notEqual = comparison('ne');
export const less = comparison('lt');
export const lessEqual = comparison('le');
export const greater = comparison('gt');
export const greaterEqual = comparison('ge');

/** Elementwise `cond ? a : b` with broadcasting; cond must be bool. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'condition');
  if (cond.dtype !== 'bool') throw new Error(`where: condition must be bool, got ${cond.dtype} ${fmt(cond.shape)}`);
  const [x, y] = coercePair('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  return bind('select', [broadcastTo(cond, shape), broadcastTo(x, shape), broadcastTo(y, shape)], {});
}

export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', x);
  checkDType(dtype, 'cast');
  if (x.dtype === dtype) return x;
  return bind('cast', [x], { dtype });
}

export interface ReduceOptions {
  keepdims?: boolean;
}

function keepShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  checkTensor('sum', x);
  const ax = normalizeAxes('sum', axes, x.rank);
  const s = ax.length === 0 ? x : bind('sum', [x], { axes: ax });
  return opts.keepdims ? reshape(s, keepShape(x.shape, ax)) : s;
}

export function mean(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  requireFloat('mean', checkTensor('mean', x));
  const ax = normalizeAxes('mean', axes, x.rank);
  const count = ax.reduce((n, a) => n * x.shape[a]!, 1);
  if (count === 0) throw new Error(`mean: reducing an empty axis of shape ${fmt(x.shape)}`);
  return div(sum(x, ax, opts), count);
}

export function max(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  checkTensor('max', x);
  const ax = normalizeAxes('max', axes, x.rank);
  const m = ax.length === 0 ? x : bind('max', [x], { axes: ax });
  return opts.keepdims ? reshape(m, keepShape(x.shape, ax)) : m;
}

export function min(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  return neg(max(neg(x), axes, opts));
}

export function argmax(x: Tensor, axis = -1): Tensor {
  checkTensor('argmax', x);
  return bind('argmax', [x], { axis: normalizeAxis('argmax', axis, x.rank) });
}

/** Variance with the population (1/N) normalization. */
export function variance(x: Tensor, axes?: number | readonly number[], opts: ReduceOptions = {}): Tensor {
  const mu = mean(x, axes, { keepdims: true });
  return mean(square(sub(x, mu)), axes, opts);
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  const wild = shape.filter((d) => d === -1).length;
  if (wild > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) throw new Error(`reshape: invalid target shape ${fmt(shape)}`);
  let target = [...shape];
  if (wild === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (size ${x.size}) to ${fmt(shape)}`);
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (sizeOf(target) !== x.size) throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (size ${x.size}) to ${fmt(shape)}`);
  if (shapesEqual(target, x.shape)) return x;
  return bind('reshape', [x], { shape: target });
}

export const flatten = (x: Tensor): Tensor => reshape(x, [x.size]);

export function expandDims(x: Tensor, axis: number): Tensor {
  const ax = normalizeAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]);
}

export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const ax = axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axes, x.rank);
  for (const a of ax) if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of shape ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => !ax.includes(i)),
  );
}

/** Permute axes; by default reverse them (matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', x);
  const p = perm ? perm.map((a) => normalizeAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the axes of ${fmt(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return x;
  return bind('transpose', [x], { perm: p });
}

/** Swap the last two axes. */
export function mT(x: Tensor): Tensor {
  if (x.rank < 2) throw new Error(`mT: expected rank ≥ 2, got ${fmt(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}

/**
 * Sub-block [starts, ends) per axis (NumPy-style negative indices; missing entries mean the
 * whole axis).
 */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly (number | undefined)[]): Tensor {
  checkTensor('slice', x);
  if (starts.length > x.rank || (ends && ends.length > x.rank)) throw new Error(`slice: more indices than axes for shape ${fmt(x.shape)}`);
  const s: number[] = [];
  const e: number[] = [];
  x.shape.forEach((d, i) => {
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const a = clamp(starts[i] ?? 0);
    const b = clamp(ends?.[i] ?? d);
    if (b < a) throw new Error(`slice: empty range [${starts[i]}, ${ends?.[i]}) on axis ${i} of shape ${fmt(x.shape)}`);
    s.push(a);
    e.push(b);
  });
  if (s.every((v) => v === 0) && e.every((v, i) => v === x.shape[i])) return x;
  return bind('slice', [x], { starts: s, ends: e });
}

/** Zero padding: `pads[i] = [before, after]` for axis i (missing axes are not padded). */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  checkTensor('pad', x);
  if (pads.length > x.rank) throw new Error(`pad: ${pads.length} pad pairs for shape ${fmt(x.shape)}`);
  const before = x.shape.map((_, i) => pads[i]?.[0] ?? 0);
  const after = x.shape.map((_, i) => pads[i]?.[1] ?? 0);
  if ([...before, ...after].some((v) => !Number.isInteger(v) || v < 0))
    throw new Error(`pad: paddings must be non-negative integers, got ${JSON.stringify(pads)}`);
  return bind('pad', [x], { before, after });
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  xs.forEach((x, i) => checkTensor('concat', x, `tensor ${i}`));
  const first = xs[0]!;
  const ax = normalizeAxis('concat', axis, first.rank);
  for (const x of xs) {
    if (x.dtype !== first.dtype || x.rank !== first.rank || x.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: ${x.dtype} ${fmt(x.shape)} does not match ${first.dtype} ${fmt(first.shape)} outside axis ${ax}`);
    }
  }
  if (xs.length === 1) return first;
  return bind('concat', [...xs], { axis: ax });
}

export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const ax = normalizeAxis('stack', axis, xs[0]!.rank + 1);
  return concat(
    xs.map((x) => expandDims(x, ax)),
    ax,
  );
}

function checkIndices(op: string, indices: Tensor): void {
  checkTensor(op, indices, 'indices');
  if (indices.dtype !== 'int32') throw new Error(`${op}: indices must be int32, got ${indices.dtype}`);
}

/** NumPy `take`: picks entries of `x` along `axis` at `indices` (any shape). */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  checkTensor('gather', x);
  checkIndices('gather', indices);
  return bind('gather', [x, indices], { axis: normalizeAxis('gather', axis, x.rank) });
}

/** The transpose of `gather`: zeros of `shape` with `updates` added at `indices` along `axis`. */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, shape: readonly number[]): Tensor {
  checkTensor('scatterAdd', updates);
  checkIndices('scatterAdd', indices);
  const ax = normalizeAxis('scatterAdd', axis, shape.length);
  const want = [...shape.slice(0, ax), ...indices.shape, ...shape.slice(ax + 1)];
  if (!shapesEqual(want, updates.shape)) throw new Error(`scatterAdd: updates ${fmt(updates.shape)} should have shape ${fmt(want)}`);
  return bind('scatterAdd', [updates, indices], { axis: ax, shape: [...shape] });
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * Matrix product op(a)·op(b) over the last two axes, broadcasting batch axes; a 1-D operand
 * is a vector (as in NumPy).
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  checkTensor('matmul', a, 'first operand');
  checkTensor('matmul', b, 'second operand');
  requireFloat('matmul', a);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch ${a.dtype} ${fmt(a.shape)} vs ${b.dtype} ${fmt(b.shape)}`);
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: operands must have rank ≥ 1, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (a.rank === 1 && b.rank === 1) return reshape(matmul(reshape(a, [1, a.size]), reshape(b, [b.size, 1])), []);
  if (a.rank === 1) return squeeze(matmul(reshape(a, [1, a.size]), b, { transB }), -2);
  if (b.rank === 1) return squeeze(matmul(a, reshape(b, [b.size, 1]), { transA }), -1);
  const k1 = transA ? a.shape[a.rank - 2]! : a.shape[a.rank - 1]!;
  const k2 = transB ? b.shape[b.rank - 1]! : b.shape[b.rank - 2]!;
  if (k1 !== k2) throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${transA ? 'ᵀ' : ''} · ${fmt(b.shape)}${transB ? 'ᵀ' : ''} (${k1} vs ${k2})`);
  let x = a;
  let y = b;
  if (a.rank > 2 || b.rank > 2) {
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const batch = broadcastShapes('matmul', batchA, batchB);
    // The primitive takes equal batch shapes, or a plain matrix broadcast to every batch.
    if (!(a.rank === 2 || shapesEqual(batchA, batch))) x = broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
    if (!(b.rank === 2 || shapesEqual(batchB, batch))) y = broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  }
  return bind('matmul', [x, y], { transA, transB });
}

export const dot = (a: Tensor, b: Tensor): Tensor => sum(mul(a, b));
export const outer = (a: Tensor, b: Tensor): Tensor => mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
}

const pair = (v: number | readonly [number, number] | undefined, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

function checkPositive(op: string, name: string, v: readonly number[], min: number): void {
  if (v.some((d) => !Number.isInteger(d) || d < min)) throw new Error(`${op}: ${name} must be integers ≥ ${min}, got ${JSON.stringify(v)}`);
}

/** Patches of an NCHW image: [N, C·kh·kw, OH·OW] (the im2col primitive). */
function patches(op: string, x: Tensor, kh: number, kw: number, opts: Conv2dOptions, padValue: number): { cols: Tensor; oh: number; ow: number } {
  if (x.rank !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${fmt(x.shape)}`);
  const stride = pair(opts.stride, 1);
  const padding = pair(opts.padding, 0);
  const dilation = pair(opts.dilation, 1);
  checkPositive(op, 'stride', stride, 1);
  checkPositive(op, 'padding', padding, 0);
  checkPositive(op, 'dilation', dilation, 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g = patchGeometry(n, c, h, w, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
  return { cols: bind('im2col', [x], { g, padValue }), oh: g.oh, ow: g.ow };
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) of x [N, C, H, W] with w [O, C, kh, kw].
 * Computed as im2col + one batched GEMM, so its derivatives of every order come from those.
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', x);
  checkTensor('conv2d', w, 'weight');
  requireFloat('conv2d', x);
  if (w.rank !== 4) throw new Error(`conv2d: weight must be [out, in, kh, kw], got ${fmt(w.shape)}`);
  if (x.rank !== 4 || x.shape[1] !== w.shape[1]) {
    throw new Error(`conv2d: input ${fmt(x.shape)} (NCHW) does not match weight ${fmt(w.shape)} (expected C = ${w.shape[1]})`);
  }
  if (x.dtype !== w.dtype) throw new Error(`conv2d: dtype mismatch ${x.dtype} vs ${w.dtype}`);
  const [o, c, kh, kw] = w.shape as [number, number, number, number];
  const { cols, oh, ow } = patches('conv2d', x, kh, kw, opts, 0);
  const y = matmul(reshape(w, [o, c * kh * kw]), cols);
  return reshape(y, [x.shape[0]!, o, oh, ow]);
}

export interface PoolOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

function pool(op: string, x: Tensor, kernel: number | readonly [number, number], opts: PoolOptions, padValue: number, reduce: (t: Tensor) => Tensor): Tensor {
  checkTensor(op, x);
  requireFloat(op, x);
  if (x.rank !== 4) throw new Error(`${op}: input must be NCHW (rank 4), got ${fmt(x.shape)}`);
  const [kh, kw] = pair(kernel, 1);
  checkPositive(op, 'kernel size', [kh, kw], 1);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const { cols, oh, ow } = patches(op, reshape(x, [n * c, 1, h, w]), kh, kw, { stride: opts.stride ?? [kh, kw], padding: opts.padding }, padValue);
  return reshape(reduce(cols), [n, c, oh, ow]);
}

/** Max pooling (stride defaults to the kernel size; padding counts as -∞). */
export function maxPool2d(x: Tensor, kernel: number | readonly [number, number], opts: PoolOptions = {}): Tensor {
  return pool('maxPool2d', x, kernel, opts, -Infinity, (t) => max(t, 1));
}

/** Average pooling (stride defaults to the kernel size; zero padding counts in the mean, as PyTorch's default). */
export function avgPool2d(x: Tensor, kernel: number | readonly [number, number], opts: PoolOptions = {}): Tensor {
  return pool('avgPool2d', x, kernel, opts, 0, (t) => mean(t, 1));
}
