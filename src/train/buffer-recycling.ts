/**
 * The trainer's proof that a buffer is dead, so the buffer pool (tensor/buffer-pool.ts) may reuse
 * it. After step s the state two steps back (S_{s-1}; S_s stays as the NaN guard's fallback), the
 * step's gradients and its batch are candidates; an array is handed back only if
 *   - it is not reachable from the states still held (S_s, S_{s+1}: K-FAC keeps its inverses
 *     across steps, an optimizer may keep the gradient or the params it was given), and
 *   - it was never shown to the caller: the starting state (the caller's), and any state or
 *     gradients a hook or onStep read through its view, are protected for good.
 * Transformations keep tensors only in their state (the checkpoint contract), so reachability
 * from the held states covers everything the training loop itself can still read.
 */
import { Tensor } from '../tensor/tensor.ts';
import { recycle } from '../tensor/buffer-pool.ts';

type FloatArray = Float64Array | Float32Array;

function floatArrays(value: unknown, out: FloatArray[], seen = new Set<unknown>()): FloatArray[] {
  if (value instanceof Tensor) {
    if (value.data instanceof Float64Array || value.data instanceof Float32Array) out.push(value.data);
  } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) floatArrays(v, out, seen);
  }
  return out;
}

export class BufferRecycler {
  private readonly shown = new WeakSet<ArrayBuffer>();

  /** Never recycle any array of `value` (the caller holds it). */
  protect(value: unknown): void {
    for (const a of floatArrays(value, [])) this.shown.add(a.buffer as ArrayBuffer);
  }

  /** Recycles the float arrays of `dead` that are neither reachable from `live` nor protected; returns how many the pool took. */
  release(dead: readonly unknown[], live: readonly unknown[]): number {
    const alive = new Set<ArrayBufferLike>();
    for (const v of live) for (const a of floatArrays(v, [])) alive.add(a.buffer);
    const free = new Map<ArrayBufferLike, FloatArray>();
    for (const v of dead) {
      for (const a of floatArrays(v, [])) {
        if (!alive.has(a.buffer) && !this.shown.has(a.buffer as ArrayBuffer)) free.set(a.buffer, a);
      }
    }
    return recycle(free.values());
  }
}
