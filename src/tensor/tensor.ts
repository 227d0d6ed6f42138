/**
 * The immutable n-dimensional array. Data is a dense row-major typed array; trace fields are
 * owned by the autodiff machinery in trace.ts and are invisible to users.
 */
import { allocate, checkDType, dtypeOf, INT32_MAX, INT32_MIN, isFloat, type DType, type TypedArray } from './dtype.ts';
import { checkShape, fmt, sizeOf, stridesOf, type Shape } from './shape.ts';
import { formatTensor } from './format.ts';

/** A node in the reverse-mode graph: which primitive produced a tensor, from what. */
export interface Node {
  readonly prim: string;
  readonly inputs: readonly Tensor[];
  readonly params: unknown;
  readonly out: Tensor;
  /** Creation order: a valid topological order of the graph. */
  readonly seq: number;
}

export type NestedArray = number | boolean | readonly NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TypedArray;
  /** @internal ids of the reverse-mode transforms this value depends on */
  _rev: number[] | undefined;
  /** @internal the graph node that produced this value (present when _rev is) */
  _node: Node | undefined;
  /** @internal forward-mode tangents, by transform id */
  _tan: Map<number, Tensor> | undefined;

  constructor(data: TypedArray, shape: Shape, dtype: DType = dtypeOf(data)) {
    if (data.length !== sizeOf(shape)) {
      throw new Error(`tensor: data of length ${data.length} does not fit shape ${fmt(shape)} (size ${sizeOf(shape)})`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The value of a one-element tensor as a JS number. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, expected 1`);
    return Number(this.data[0]);
  }

  /** Nested JS arrays (numbers; booleans for bool tensors). */
  toArray(): NestedArray {
    const strides = stridesOf(this.shape);
    const read = (i: number): number | boolean => (this.dtype === 'bool' ? this.data[i] !== 0 : Number(this.data[i]));
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return read(offset);
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, offset + i * strides[axis]!));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmt(this.shape)}, ${JSON.stringify(this.toArray())})`;
  }

  /** What console.log and util.inspect print (not the trace fields): see format.ts. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }
}

export interface TensorOptions {
  dtype?: DType;
  shape?: readonly number[];
  /** Reject NaN and ±Infinity in the input data. */
  checkFinite?: boolean;
}

/** Build a tensor from nested arrays, a number, or a typed array (copied). */
export function tensor(value: NestedArray | TypedArray | readonly number[] | Tensor, opts: TensorOptions = {}): Tensor {
  if (value instanceof Tensor) value = value.data;
  let flat: ArrayLike<number>;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(value)) {
    const typed = value as TypedArray;
    dtype = opts.dtype === undefined ? dtypeOf(typed) : checkDType(opts.dtype, 'tensor');
    flat = typed;
    shape = opts.shape ? checkShape(opts.shape, 'tensor') : [typed.length];
  } else {
    dtype = opts.dtype === undefined ? inferDType(value) : checkDType(opts.dtype, 'tensor');
    shape = inferShape(value);
    flat = flatten(value, shape);
    if (opts.shape) {
      const want = checkShape(opts.shape, 'tensor');
      if (sizeOf(want) !== flat.length) {
        throw new Error(`tensor: ${flat.length} values do not fit shape ${fmt(want)}`);
      }
      shape = want;
    }
  }
  const data = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = Number(flat[i]);
    if (opts.checkFinite && !Number.isFinite(v)) throw new Error(`tensor: non-finite value ${v} at flat index ${i} (checkFinite is on)`);
    if (dtype === 'int32' && !Number.isInteger(v)) throw new Error(`tensor: value ${v} at flat index ${i} is not an integer (dtype int32)`);
    if (dtype === 'int32' && (v < INT32_MIN || v > INT32_MAX))
      throw new Error(`tensor: value ${v} at flat index ${i} is outside the int32 range [-2147483648, 2147483647]`);
    data[i] = dtype === 'bool' ? (v ? 1 : 0) : v;
  }
  return new Tensor(data, shape, dtype);
}

function inferDType(value: NestedArray | readonly number[]): DType {
  let v: unknown = value;
  while (Array.isArray(v)) v = v[0];
  return typeof v === 'boolean' ? 'bool' : 'float64';
}

function inferShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function flatten(value: unknown, shape: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean') {
        throw new Error(`tensor: expected a number at ${path || 'top level'}, got ${Array.isArray(v) ? 'an array (ragged nesting)' : JSON.stringify(v)}`);
      }
      out.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new Error(`tensor: ragged nested array at ${path || 'top level'} (expected length ${shape[axis]})`);
    }
    v.forEach((x, i) => walk(x, axis + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return out;
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float64'): Tensor {
  const data = allocate(checkDType(dtype, 'full'), sizeOf(checkShape(shape, 'full')));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype);
}

export const zeros = (shape: readonly number[], dtype: DType = 'float64'): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'float64'): Tensor => full(shape, 1, dtype);
export const scalar = (value: number, dtype: DType = 'float64'): Tensor => full([], value, dtype);

export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, x.dtype);
}

/** [start, stop) with step, like NumPy's arange. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float64'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: invalid step ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype);
}

export function eye(n: number, dtype: DType = 'float64'): Tensor {
  const data = allocate(dtype, n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return new Tensor(data, [n, n], dtype);
}

export function assertFloat(op: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new Error(`${op}: expected a float tensor, got ${x.dtype} ${fmt(x.shape)}`);
}
