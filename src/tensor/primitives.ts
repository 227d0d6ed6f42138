/**
 * The primitive operations: the only functions that touch raw data. Everything else in
 * trainscope is composed from these, and autodiff needs a VJP and a JVP rule for each
 * (vjp-rules.ts, jvp-rules.ts — the compiler checks both tables are complete).
 *
 * Primitives are strict: equal shapes for elementwise ops, equal dtypes, no broadcasting;
 * the user-facing ops in ops.ts insert explicit `broadcastTo`s and give friendly errors.
 */
import { type DType, type TypedArray } from './dtype.ts';
import { allocateOutput as allocate } from './arena.ts';
import { fmt, sizeOf, stridesOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import type { BinaryOp, FloatArray, PatchGeometry } from '../kernels/kernels.ts';
import * as linalgKernels from '../linalg/accelerated.ts';

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
type None = Record<string, never>;

/** Every primitive and its (static, non-differentiable) parameters. */
export interface PrimParams {
  // elementwise unary (float)
  neg: None; exp: None; log: None; sin: None; cos: None; tanh: None; sigmoid: None;
  sqrt: None; abs: None; sign: None;
  // elementwise binary (equal shapes and dtypes)
  add: None; sub: None; mul: None; div: None; pow: None; maximum: None; minimum: None;
  compare: { op: CompareOp };
  select: None; // (cond: bool, a, b)
  /** (x, y) ↦ x > 0 ? y : 0, equal shapes: relu(x) is maskPositive(x, x), and its own derivative. */
  maskPositive: None;
  cast: { dtype: DType };
  // reductions (axes sorted, removed from the shape)
  sum: { axes: number[] };
  max: { axes: number[] };
  argmax: { axis: number };
  // layout
  reshape: { shape: number[] };
  broadcastTo: { shape: number[] };
  transpose: { perm: number[] };
  slice: { starts: number[]; ends: number[] };
  pad: { before: number[]; after: number[] };
  concat: { axis: number };
  gather: { axis: number }; // (x, indices: int32)
  scatterAdd: { axis: number; shape: number[] }; // (updates, indices) -> zeros(shape) with updates added
  // fused loss: one pass instead of ~15 primitives forward and ~25 backward
  /** (logits [B, C], labels int32 [B]) ↦ mean over rows of logsumexp(row) − row[label]: shape []. */
  softmaxCrossEntropy: None;
  /** (logits, labels) ↦ (softmax(logits) − onehot(labels)) / B: the loss's gradient, [B, C]. */
  softmaxCrossEntropyGrad: None;
  // linear algebra
  matmul: { transA: boolean; transB: boolean };
  im2col: { g: PatchGeometry; padValue: number };
  col2im: { g: PatchGeometry };
  /** Thin QR of an m×n matrix (m ≥ n), packed as [Q; R]: shape [m + n, n]. */
  qr: None;
  /** Symmetric eigendecomposition of (A + Aᵀ)/2, packed as [λ; V]: shape [n + 1, n], λ ascending. */
  eigh: None;
  /** Thin SVD of an m×n matrix, k = min(m, n), packed as [U; s; V]: shape [m + 1 + n, k], s descending. */
  svd: None;
  /** Lower Cholesky factor of (A + Aᵀ)/2. */
  cholesky: None;
  /** X with op(T) X = B, T triangular. */
  solveTriangular: { lower: boolean; transpose: boolean };
}
export type Prim = keyof PrimParams;

type Impl<P extends Prim> = (inputs: readonly Tensor[], params: PrimParams[P]) => Tensor;

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
 * Elementwise outputs at least this long go to the kernel backend's `binary` when it has one
 * (same bits as the loops here; wasm SIMD after copies, native in place). Below it a JS loop
 * beats the call.
 */
const BINARY_KERNEL_MIN = 2048;

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
    const k = kernelOp && big.size >= BINARY_KERNEL_MIN && (dtype === 'float32' || dtype === 'float64') ? kernels().binary : undefined;
    if (k) k(kernelOp!, x!.data as FloatArray, y!.data as FloatArray, out as FloatArray);
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

/** For each input flat index, the flat index of the output it reduces into (axes removed). */
function reduceIndex(shape: readonly number[], axes: readonly number[]): Int32Array {
  const outStrides = stridesOf(shape.filter((_, i) => !axes.includes(i)));
  const stride = new Array<number>(shape.length).fill(0);
  let j = 0;
  for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) stride[i] = outStrides[j++]!;
  return stridedIndex(shape, stride);
}

/** [outer, reduced, inner] sizes when the sorted `axes` are consecutive, else undefined. */
function contiguousBlock(shape: readonly number[], axes: readonly number[]): [number, number, number] | undefined {
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length) return undefined;
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

/** Flat offsets Σ idx_i·stride_i over all multi-indices of `shape`, in row-major order. */
export function stridedIndex(shape: readonly number[], stride: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const map = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return map;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    map[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += stride[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return map;
}

function gatherCopy(x: Tensor, outShape: readonly number[], srcStride: readonly number[], base = 0): Tensor {
  const map = stridedIndex(outShape, srcStride);
  const out = allocate(x.dtype, map.length);
  const a = x.data;
  for (let i = 0; i < map.length; i++) out[i] = a[base + map[i]!]!;
  return new Tensor(out, outShape, x.dtype);
}

/** Split a tensor around `axis` as [outer, axisLen, inner]. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

function matrixData(x: Tensor): Float64Array {
  return x.data instanceof Float64Array ? x.data : Float64Array.from(x.data);
}

function symmetrized(x: Tensor): Float64Array {
  const n = x.shape[0]!;
  const a = x.data;
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  return s;
}

function fromF64(data: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === 'float64') return new Tensor(data, shape, dtype);
  // set() converts in one native pass (Float32Array.from would walk the iterator protocol).
  const out = allocate(dtype, data.length);
  out.set(data);
  return new Tensor(out, shape, dtype);
}


/** A logits row's max m and Σ exp(x − m): the stable softmax normalizer, shared by the CE pair. */
function rowMaxAndExpSum(x: TypedArray, offset: number, cols: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[offset + j]! > m) m = x[offset + j]!;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[offset + j]! - m);
  return [m, s];
}

export const impls: { [P in Prim]: Impl<P> } = {
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
  add: binary('a + b', undefined, 'add'),
  sub: binary('a - b', undefined, 'sub'),
  mul: binary('a * b', undefined, 'mul'),
  div: binary('a / b', undefined, 'div'),
  pow: binary('Math.pow(a, b)'),
  maximum: binary('a !== a || b !== b ? NaN : a >= b ? a : b', undefined, 'maximum'),
  minimum: binary('a !== a || b !== b ? NaN : a <= b ? a : b', undefined, 'minimum'),
  compare: (inputs, { op }) => compareImpls[op](inputs, {} as never),
  select: ([c, x, y]) => {
    const cond = c!.data;
    const a = x!.data;
    const b = y!.data;
    const out = allocate(x!.dtype, a.length);
    for (let i = 0; i < a.length; i++) out[i] = cond[i] ? a[i]! : b[i]!;
    return new Tensor(out, x!.shape, x!.dtype);
  },
  maskPositive: binary('a > 0 ? b : 0', undefined, 'maskPositive'),
  softmaxCrossEntropy: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const x = logits!.data;
    const y = labels!.data;
    // Row by row in float64, in a fixed order: reproducible, and exact to float32 rounding once.
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const [m, s] = rowMaxAndExpSum(x, r * cols, cols);
      total += Math.log(s) + m - x[r * cols + y[r]!]!;
    }
    const out = allocate(logits!.dtype, 1);
    out[0] = total / rows;
    return new Tensor(out, [], logits!.dtype);
  },
  softmaxCrossEntropyGrad: ([logits, labels]) => {
    const [rows, cols] = logits!.shape as [number, number];
    const x = logits!.data;
    const y = labels!.data;
    const out = allocate(logits!.dtype, rows * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const [m, s] = rowMaxAndExpSum(x, o, cols);
      const scale = 1 / (s * rows);
      for (let j = 0; j < cols; j++) out[o + j] = Math.exp(x[o + j]! - m) * scale;
      out[o + y[r]!] -= 1 / rows;
    }
    return new Tensor(out, logits!.shape, logits!.dtype);
  },
  cast: ([x], { dtype }) => {
    const out = allocate(dtype, x!.size);
    const a = x!.data;
    if (dtype === 'int32') for (let i = 0; i < a.length; i++) out[i] = Math.trunc(a[i]!);
    else if (dtype === 'bool') for (let i = 0; i < a.length; i++) out[i] = a[i] ? 1 : 0;
    else out.set(a);
    return new Tensor(out, x!.shape, dtype);
  },
  sum: ([x], { axes }) => {
    // Accumulate in float64 in row-major input order: a fixed order, so results are reproducible.
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    const acc = allocate('float64', sizeOf(outShape)) as Float64Array;
    const a = x!.data;
    const block = contiguousBlock(x!.shape, axes);
    if (block) {
      const [outer, red, inner] = block;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < red; r++) {
          const src = (o * red + r) * inner;
          const dst = o * inner;
          for (let i = 0; i < inner; i++) acc[dst + i] += a[src + i]!;
        }
      }
    } else {
      const map = reduceIndex(x!.shape, axes);
      for (let i = 0; i < a.length; i++) acc[map[i]!] += a[i]!;
    }
    return fromF64(acc, outShape, x!.dtype);
  },
  max: ([x], { axes }) => {
    const outShape = x!.shape.filter((_, i) => !axes.includes(i));
    const outSize = sizeOf(outShape);
    if (x!.size === 0 && outSize > 0) throw new Error(`max: cannot reduce an empty axis of shape ${fmt(x!.shape)}`);
    const out = allocate(x!.dtype, outSize).fill(-Infinity);
    const a = x!.data;
    // NaN wins, so max propagates NaN like NumPy.
    const block = contiguousBlock(x!.shape, axes);
    if (block) {
      const [outer, red, inner] = block;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < red; r++) {
          const src = (o * red + r) * inner;
          const dst = o * inner;
          for (let i = 0; i < inner; i++) {
            const v = a[src + i]!;
            if (v > out[dst + i]! || v !== v) out[dst + i] = v;
          }
        }
      }
    } else {
      const map = reduceIndex(x!.shape, axes);
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        const j = map[i]!;
        if (v > out[j]! || v !== v) out[j] = v;
      }
    }
    return new Tensor(out, outShape, x!.dtype);
  },
  argmax: ([x], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    if (len === 0) throw new Error(`argmax: axis ${axis} of shape ${fmt(x!.shape)} is empty`);
    const out = new Int32Array(outer * inner);
    const a = x!.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bestV = a[o * len * inner + i]!;
        for (let k = 1; k < len; k++) {
          const v = a[(o * len + k) * inner + i]!;
          if (v > bestV) { best = k; bestV = v; }
        }
        out[o * inner + i] = best;
      }
    }
    return new Tensor(out, x!.shape.filter((_, i) => i !== axis), 'int32');
  },
  // Tensors are immutable, so a reshape can share its data.
  reshape: ([x], { shape }) => new Tensor(x!.data, shape, x!.dtype),
  broadcastTo: ([x], { shape }) => {
    const src = x!.shape;
    const off = shape.length - src.length;
    // Fast path: only new or size-1 leading axes, e.g. a bias [n] → [batch, n]: repeat the block.
    const firstKept = src.findIndex((d) => d !== 1);
    if (firstKept === -1 || src.slice(firstKept).every((d, i) => d === shape[off + firstKept + i])) {
      const block = x!.data;
      const out = allocate(x!.dtype, sizeOf(shape));
      if (block.length === 1) out.fill(block[0]!);
      else for (let o = 0; o < out.length; o += block.length) out.set(block, o);
      return new Tensor(out, shape, x!.dtype);
    }
    const srcStrides = stridesOf(src);
    const stride = shape.map((_, i) => (i < off || src[i - off] === 1 ? 0 : srcStrides[i - off]!));
    return gatherCopy(x!, shape, stride);
  },
  transpose: ([x], { perm }) => {
    const shape = x!.shape;
    if (perm.length === 2) {
      // Matrix transpose: the common case, without an index map.
      const [r, c] = shape as [number, number];
      const a = x!.data;
      const out = allocate(x!.dtype, a.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
      return new Tensor(out, [c, r], x!.dtype);
    }
    const s = stridesOf(shape);
    return gatherCopy(x!, perm.map((p) => shape[p]!), perm.map((p) => s[p]!));
  },
  slice: ([x], { starts, ends }) => {
    const s = stridesOf(x!.shape);
    const base = starts.reduce((acc, st, i) => acc + st * s[i]!, 0);
    return gatherCopy(x!, starts.map((st, i) => ends[i]! - st), s, base);
  },
  pad: ([x], { before, after }) => {
    const shape = x!.shape.map((d, i) => d + before[i]! + after[i]!);
    const outStrides = stridesOf(shape);
    const map = stridedIndex(x!.shape, outStrides);
    const base = before.reduce((acc, b, i) => acc + b * outStrides[i]!, 0);
    const out = allocate(x!.dtype, sizeOf(shape));
    const a = x!.data;
    for (let i = 0; i < a.length; i++) out[base + map[i]!] = a[i]!;
    return new Tensor(out, shape, x!.dtype);
  },
  concat: (xs, { axis }) => {
    const first = xs[0]!;
    const total = xs.reduce((acc, t) => acc + t.shape[axis]!, 0);
    const shape = first.shape.map((d, i) => (i === axis ? total : d));
    const [outer, , inner] = around(shape, axis);
    const out = allocate(first.dtype, sizeOf(shape));
    let offset = 0;
    for (const t of xs) {
      const chunk = t.shape[axis]! * inner;
      for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * total * inner + offset);
      offset += chunk;
    }
    return new Tensor(out, shape, first.dtype);
  },
  gather: ([x, idx], { axis }) => {
    const [outer, len, inner] = around(x!.shape, axis);
    const ids = idx!.data;
    const out = allocate(x!.dtype, outer * ids.length * inner);
    const a = x!.data;
    for (let k = 0; k < ids.length; k++) {
      const j = ids[k]!;
      if (j < 0 || j >= len) throw new Error(`gather: index ${j} is out of range for axis ${axis} of size ${len} (shape ${fmt(x!.shape)})`);
    }
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < ids.length; k++) {
        const src = (o * len + ids[k]!) * inner;
        out.set(a.subarray(src, src + inner), (o * ids.length + k) * inner);
      }
    }
    const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    return new Tensor(out, shape, x!.dtype);
  },
  scatterAdd: ([u, idx], { axis, shape }) => {
    const [outer, len, inner] = around(shape, axis);
    const ids = idx!.data;
    const out = allocate(u!.dtype, sizeOf(shape));
    const a = u!.data;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < ids.length; k++) {
        const j = ids[k]!;
        if (j < 0 || j >= len) throw new Error(`scatterAdd: index ${j} is out of range for axis ${axis} of size ${len}`);
        const dst = (o * len + j) * inner;
        const src = (o * ids.length + k) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] += a[src + i]!;
      }
    }
    return new Tensor(out, shape, u!.dtype);
  },
  matmul: ([a, b], { transA, transB }) => {
    const A = a!;
    const B = b!;
    const m = transA ? A.shape[A.rank - 1]! : A.shape[A.rank - 2]!;
    const k = transA ? A.shape[A.rank - 2]! : A.shape[A.rank - 1]!;
    const n = transB ? B.shape[B.rank - 2]! : B.shape[B.rank - 1]!;
    const batchShape = A.rank >= B.rank ? A.shape.slice(0, -2) : B.shape.slice(0, -2);
    const batch = sizeOf(batchShape);
    const out = allocate(A.dtype, batch * m * n) as FloatArray;
    kernels().gemm(A.data as FloatArray, B.data as FloatArray, out, {
      batch, m, n, k, transA, transB,
      aBatchStride: A.rank === 2 ? 0 : m * k,
      bBatchStride: B.rank === 2 ? 0 : k * n,
    });
    return new Tensor(out, [...batchShape, m, n], A.dtype);
  },
  im2col: ([x], { g, padValue }) => {
    const out = allocate(x!.dtype, g.n * g.c * g.kh * g.kw * g.oh * g.ow) as FloatArray;
    kernels().im2col(x!.data as FloatArray, out, g, padValue);
    return new Tensor(out, [g.n, g.c * g.kh * g.kw, g.oh * g.ow], x!.dtype);
  },
  col2im: ([cols], { g }) => {
    const out = allocate(cols!.dtype, g.n * g.c * g.h * g.w) as FloatArray;
    kernels().col2im(cols!.data as FloatArray, out, g);
    return new Tensor(out, [g.n, g.c, g.h, g.w], cols!.dtype);
  },
  qr: ([a]) => {
    const [m, n] = a!.shape as [number, number];
    // Through the kernel backend (LAPACK, wasm) when it has QR; same conventions as dense.ts.
    const { q, r } = linalgKernels.qr(matrixData(a!), m, n);
    const packed = new Float64Array((m + n) * n);
    packed.set(q);
    packed.set(r, m * n);
    return fromF64(packed, [m + n, n], a!.dtype);
  },
  eigh: ([a]) => {
    const n = a!.shape[0]!;
    const { values, vectors } = linalgKernels.eigh(symmetrized(a!), n);
    const packed = new Float64Array((n + 1) * n);
    packed.set(values);
    packed.set(vectors, n);
    return fromF64(packed, [n + 1, n], a!.dtype);
  },
  svd: ([a]) => {
    const [m, n] = a!.shape as [number, number];
    const k = Math.min(m, n);
    const { u, s, v } = linalgKernels.svd(matrixData(a!), m, n);
    const packed = new Float64Array((m + 1 + n) * k);
    packed.set(u);
    packed.set(s, m * k);
    packed.set(v, (m + 1) * k);
    return fromF64(packed, [m + 1 + n, k], a!.dtype);
  },
  cholesky: ([a]) => {
    const n = a!.shape[0]!;
    return fromF64(linalgKernels.cholesky(symmetrized(a!), n), [n, n], a!.dtype);
  },
  solveTriangular: ([t, b], { lower, transpose }) => {
    const n = t!.shape[0]!;
    const nrhs = b!.shape[1]!;
    const x = linalgKernels.solveTriangular(matrixData(t!), matrixData(b!), n, nrhs, { lower, transpose });
    return fromF64(x, [n, nrhs], b!.dtype);
  },
};

export type { TypedArray };
