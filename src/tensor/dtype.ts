/** Element types. float64 is the default and the reference; there is no implicit promotion. */
export type DType = 'float64' | 'float32' | 'int32' | 'bool';
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
    case 'float64': return new Float64Array(size);
    case 'float32': return new Float32Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}
