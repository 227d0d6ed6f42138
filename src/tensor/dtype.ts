/** Element types. float64 is the default and the reference; there is no implicit promotion. */
export type DType = 'float64' | 'float32' | 'int32' | 'bool';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/**
 * The flat index of the first value that has no int32 value once truncated toward zero (NaN,
 * ±Infinity, ≤ -2^31 - 1 or ≥ 2^31), or -1. An Int32Array would silently store them as 0 or
 * wrapped around.
 */
export function firstNotInt32(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // `!(a && b)` catches NaN too.
    if (!(v > INT32_MIN - 1 && v < INT32_MAX + 1)) return i;
  }
  return -1;
}
export const DTYPES: readonly DType[] = ['float64', 'float32', 'int32', 'bool'];

export type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
export type FloatDType = 'float64' | 'float32';

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function checkDType(x: unknown, where: string): DType {
  if (!isDType(x)) throw new Error(`${where}: unknown dtype ${JSON.stringify(x)} (expected one of ${DTYPES.join(', ')})`);
  return x;
}

export function isFloat(d: DType): d is FloatDType {
  return d === 'float64' || d === 'float32';
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float64':
      return new Float64Array(size);
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}
