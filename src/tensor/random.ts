/**
 * Keyed random tensors. A key is plain data (two uint32 words) derived with `split` and
 * `foldIn`; the same key always gives the same bits (Threefry-2x32, see prng.ts).
 */
import * as prng from './prng.ts';
import { checkDType, type DType } from './dtype.ts';
import { checkShape, sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';

export type Key = prng.Key;
export const key = prng.key;
export const split = prng.split;
export const foldIn = prng.foldIn;
export const isKey = prng.isKey;
export const keyFromData = prng.keyFromData;

function checkKey(op: string, k: unknown): Key {
  if (!prng.isKey(k)) throw new Error(`random.${op}: expected a key from random.key/split/foldIn, got ${JSON.stringify(k)}`);
  return k;
}

function floatDType(op: string, dtype: DType | undefined): 'float64' | 'float32' {
  const d = checkDType(dtype ?? 'float64', `random.${op}`);
  if (d !== 'float64' && d !== 'float32') throw new Error(`random.${op}: dtype must be float64 or float32, got ${d}`);
  return d;
}

export function uniform(k: Key, shape: readonly number[], opts: { low?: number; high?: number; dtype?: DType } = {}): Tensor {
  const s = checkShape(shape, 'random.uniform');
  const dtype = floatDType('uniform', opts.dtype);
  return new Tensor(prng.uniform(checkKey('uniform', k), sizeOf(s), { low: opts.low, high: opts.high, dtype }), s, dtype);
}

export function normal(k: Key, shape: readonly number[], opts: { mean?: number; std?: number; dtype?: DType } = {}): Tensor {
  const s = checkShape(shape, 'random.normal');
  const dtype = floatDType('normal', opts.dtype);
  return new Tensor(prng.normal(checkKey('normal', k), sizeOf(s), { mean: opts.mean, std: opts.std, dtype }), s, dtype);
}

export function bernoulli(k: Key, p: number, shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'random.bernoulli');
  return new Tensor(prng.bernoulli(checkKey('bernoulli', k), p, sizeOf(s)), s, 'bool');
}

export function randint(k: Key, low: number, high: number, shape: readonly number[]): Tensor {
  const s = checkShape(shape, 'random.randint');
  return new Tensor(prng.randint(checkKey('randint', k), low, high, sizeOf(s)), s, 'int32');
}

export function permutation(k: Key, n: number): Tensor {
  return new Tensor(prng.permutation(checkKey('permutation', k), n), [n], 'int32');
}
