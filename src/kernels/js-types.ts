/**
 * One compiled loop per array type: a loop that has seen Float64Array and Float32Array (and
 * Int32Array, Uint8Array) element loads goes polymorphic in V8 and runs several times slower, so
 * the js kernels compile each loop from its expression once per op and array type.
 */
import type { DataArray } from './kernels.ts';

/** 0 float64, 1 float32, 2 int32, 3 bool (Uint8Array): the slot of x's loops. */
export function typeSlot(x: DataArray): 0 | 1 | 2 | 3 {
  return x instanceof Float64Array ? 0 : x instanceof Float32Array ? 1 : x instanceof Int32Array ? 2 : 3;
}

/** Per op, its loops per array type, made on first use by `make(op)`. */
export function perType<Op extends string, L>(make: (op: Op) => L): (op: Op, x: DataArray) => L {
  const cache = new Map<Op, Array<L | undefined>>();
  return (op, x) => {
    let slots = cache.get(op);
    if (!slots) cache.set(op, (slots = [undefined, undefined, undefined, undefined]));
    const t = typeSlot(x);
    return (slots[t] ??= make(op));
  };
}
