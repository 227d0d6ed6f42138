/**
 * Small helpers shared by the layers: error messages that name the layer, argument checks,
 * and folding a layer name into a key. Internal to nn/ (not re-exported).
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';
import { isFloat, type DType, type FloatDType } from '../tensor/dtype.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { Tree } from '../tensor/tree.ts';
import type { Layer, ModelState } from './layer.ts';

/** A layer with buffers (BatchNorm): `initState()` gives their initial values, keyed by layer name. */
export type StatefulLayer<P extends Tree = Tree> = Layer<P> & { initState(): ModelState };

/** Layers that may carry state; the trainer's `Model` has the same shape. */
export type MaybeStateful<P extends Tree = Tree> = Layer<P> & { initState?(): ModelState };

/** `kind 'name': message` — every nn error starts with the layer kind and its name. */
export function layerError(kind: string, name: string, message: string): Error {
  return new Error(`${kind} '${name}': ${message}`);
}

export function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new Error(`${kind}: name must be a non-empty string, got ${JSON.stringify(name)}`);
  return name;
}

export function checkPositiveInt(kind: string, name: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw layerError(kind, name, `${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export function checkFloatDType(kind: string, name: string, dtype: DType | undefined): FloatDType {
  const d = dtype ?? 'float64';
  if (!isFloat(d)) throw layerError(kind, name, `dtype must be float64 or float32, got ${JSON.stringify(d)}`);
  return d;
}

export type Pair = [number, number];

/** `n` → [n, n]; validates integers ≥ `min`. */
export function toPair(kind: string, name: string, what: string, v: number | readonly [number, number] | undefined, dflt: number, min: number): Pair {
  const p: Pair = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d >= min) || (typeof v === 'object' && v.length !== 2)) {
    throw layerError(kind, name, `${what} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** The input must be a float Tensor of the given rank (a short description of the layout helps the message). */
export function checkInput(kind: string, name: string, x: unknown, rank: number, layout: string): Tensor {
  if (!(x instanceof Tensor)) throw layerError(kind, name, `input must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.rank !== rank) throw layerError(kind, name, `expected input ${layout} (rank ${rank}), got ${fmt(x.shape)}`);
  if (!isFloat(x.dtype)) throw layerError(kind, name, `expected a float input, got ${x.dtype} ${fmt(x.shape)}`);
  return x;
}

/** A parameter leaf must exist with the expected shape (catches params from another layer or model). */
export function checkParam(kind: string, name: string, params: unknown, key: string, shape: readonly number[]): Tensor {
  const p = params !== null && typeof params === 'object' ? (params as Record<string, unknown>)[key] : undefined;
  if (!(p instanceof Tensor)) throw layerError(kind, name, `params.${key} is missing (expected a Tensor of shape ${fmt(shape)})`);
  if (!shapesEqual(p.shape, shape)) throw layerError(kind, name, `params.${key} has shape ${fmt(p.shape)}, expected ${fmt(shape)}`);
  return p;
}

export function checkSameDType(kind: string, name: string, x: Tensor, w: Tensor): void {
  if (x.dtype !== w.dtype)
    throw layerError(kind, name, `input dtype ${x.dtype} ${fmt(x.shape)} does not match the parameters' ${w.dtype} (no implicit promotion; cast the input)`);
}

/**
 * A key specific to a layer: foldIn(key, name) (the name is hashed with FNV-1a, see prng.ts), so
 * the same (key, name) always gives the same key and distinct names give distinct keys.
 */
export function foldName(key: Key, name: string): Key {
  return random.foldIn(key, name);
}
